"""Publishing event documents to an MQTT broker with paho-mqtt, and Home Assistant discovery for a
per-kiosk "last person" sensor: Home Assistant finds it without any YAML."""

from __future__ import annotations

import json
import re
import ssl
from urllib.parse import unquote, urlsplit

from core.errors import FaceGateError
from core.redact import redact_url, scrub

DISCOVERY_PREFIX = "homeassistant"
_PERSON_KINDS = ("check-in", "check-out", "unlock")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "_", text.lower()).strip("_") or "kiosk"


def last_person_topic(topic: str, kiosk_id: str) -> str:
    return f"{topic}/{_slug(kiosk_id)}/last_person"


def discovery(topic: str, kiosk_id: str) -> tuple[str, str]:
    """(config topic, config payload) of the kiosk's "last person" sensor."""
    slug = _slug(kiosk_id)
    state = last_person_topic(topic, kiosk_id)
    config = {
        "name": f"FaceGate {kiosk_id} last person",
        "unique_id": f"facegate_{slug}_last_person",
        "state_topic": state,
        "value_template": "{{ value_json.name }}",
        "json_attributes_topic": state,
        "icon": "mdi:face-recognition",
        "device": {"identifiers": [f"facegate_{slug}"], "name": f"FaceGate {kiosk_id}", "manufacturer": "FaceGate"},
    }
    return f"{DISCOVERY_PREFIX}/sensor/facegate_{slug}/last_person/config", json.dumps(config)


def publish(url: str, topic: str, body: str, timeout_s: float) -> None:
    """body to topic (QoS 1); for a person's event also, retained, to the kiosk's last-person topic
    with its discovery config. Returns once the broker acknowledged every message."""
    import paho.mqtt.client as mqtt

    parts = urlsplit(url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    client.connect_timeout = timeout_s
    if parts.username:
        client.username_pw_set(unquote(parts.username), unquote(parts.password) if parts.password else None)
    if parts.scheme == "mqtts":
        client.tls_set(cert_reqs=ssl.CERT_REQUIRED)
    document = json.loads(body)
    messages = [(topic, body, False)]
    if document["kind"] in _PERSON_KINDS:
        messages += [(*discovery(topic, document["kiosk_id"]), True)]
        messages += [(last_person_topic(topic, document["kiosk_id"]), body, True)]
    try:
        client.connect(parts.hostname or "", parts.port or (8883 if parts.scheme == "mqtts" else 1883), keepalive=30)
        client.loop_start()
        try:
            sent = [client.publish(t, payload, qos=1, retain=retain) for t, payload, retain in messages]
            for info in sent:
                info.wait_for_publish(timeout_s)
                if not info.is_published():
                    raise FaceGateError(f"the MQTT broker {redact_url(url)} did not confirm within {timeout_s:g} s")
        finally:
            client.disconnect()
            client.loop_stop()
    except FaceGateError:
        raise
    except (OSError, ValueError, RuntimeError) as exc:
        raise FaceGateError(f"the MQTT broker {redact_url(url)} could not be reached: {scrub(str(exc), url)}") from None
