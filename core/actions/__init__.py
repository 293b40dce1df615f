"""Actions on events: the runners (a command, a signed webhook, an MQTT publish), the outbox worker
that delivers attendance and attack documents at least once, and the hub a kiosk process hands its
events to (unlock actions run there at once, never later)."""
