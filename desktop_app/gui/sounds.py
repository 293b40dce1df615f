"""The optional sounds (Settings' sounds, off by default): a chime when someone is checked in and a
low tone when a photo or screen is refused, once each time such a banner appears, not on every frame
that repeats it. The files are assets/sounds/ (scripts/make_sounds.py makes them)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtMultimedia import QSoundEffect

from core.paths import assets_dir
from desktop_app.gui.kiosk_view import ATTACK, WELCOME

CHECK_IN_SOUND, REFUSAL_SOUND = "checkin", "refusal"
# The banners that make a sound.
ON_BANNER = {WELCOME: CHECK_IN_SOUND, ATTACK: REFUSAL_SOUND}


def sound_path(name: str) -> Path:
    return assets_dir() / "sounds" / f"{name}.wav"


class Sounds(QObject):
    played = Signal(str)  # the sound's name, each time one is asked to play

    def __init__(self, enabled: bool = False, parent: QObject | None = None):
        super().__init__(parent)
        self.effects: dict[str, QSoundEffect] = {}
        self.enabled = False
        self.set_enabled(enabled)

    def set_enabled(self, enabled: bool) -> None:
        """On, the files are loaded now (Qt reads them in the background), so the first sound is not late;
        off, nothing of Qt Multimedia's audio is touched."""
        self.enabled = enabled
        if enabled and not self.effects:
            for name in (CHECK_IN_SOUND, REFUSAL_SOUND):
                effect = QSoundEffect(self)
                effect.setSource(QUrl.fromLocalFile(str(sound_path(name))))
                self.effects[name] = effect

    def banner_appeared(self, kind: str) -> None:
        if kind in ON_BANNER:
            self.play(ON_BANNER[kind])

    def play(self, name: str) -> None:
        if not self.enabled:
            return
        # Without an audio device (or with a broken one) Qt says so once and plays nothing; the
        # kiosk goes on as it would with sounds off.
        self.effects[name].play()
        self.played.emit(name)
