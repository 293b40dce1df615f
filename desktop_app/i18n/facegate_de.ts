<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>App</name>
    <message>
        <source>FaceGate cannot start</source>
        <translation>FaceGate kann nicht starten</translation>
    </message>
</context>
<context>
    <name>DirectionBar</name>
    <message>
        <source>In</source>
        <translation>Kommen</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>Gehen</translation>
    </message>
    <message>
        <source>{direction}  ({key})</source>
        <translation>{direction}  ({key})</translation>
    </message>
</context>
<context>
    <name>FrameWorker</name>
    <message>
        <source>{problem}; retrying in {seconds} s</source>
        <translation>{problem}; neuer Versuch in {seconds} s</translation>
    </message>
    <message>
        <source>unexpected error: {error}</source>
        <translation>unerwarteter Fehler: {error}</translation>
    </message>
</context>
<context>
    <name>Kiosk</name>
    <message>
        <source>press In or Out (keys I / O), then look at the camera</source>
        <translation>Drücken Sie Kommen oder Gehen (Tasten I / O) und schauen Sie dann in die Kamera</translation>
    </message>
    <message>
        <source>not unlocked: please step out of view, then come back to try again</source>
        <translation>nicht entsperrt: Bitte treten Sie aus dem Bild und kommen Sie dann für einen neuen Versuch zurück</translation>
    </message>
    <message>
        <source>not unlocked: no head turn in time; please try again</source>
        <translation>nicht entsperrt: keine Kopfdrehung in der Zeit; bitte erneut versuchen</translation>
    </message>
    <message>
        <source>not unlocked: the head turned the other way; please try again</source>
        <translation>nicht entsperrt: Der Kopf wurde in die andere Richtung gedreht; bitte erneut versuchen</translation>
    </message>
    <message>
        <source>not unlocked: a photo or screen cannot unlock; please try again</source>
        <translation>nicht entsperrt: Ein Foto oder Bildschirm kann nicht entsperren; bitte erneut versuchen</translation>
    </message>
    <message>
        <source>{name} — already checked in at {time}</source>
        <translation>{name} — bereits um {time} angemeldet</translation>
    </message>
    <message>
        <source>{name} — already checked out at {time}</source>
        <translation>{name} — bereits um {time} abgemeldet</translation>
    </message>
    <message>
        <source>Turn your head to your left</source>
        <translation>Drehen Sie den Kopf nach links</translation>
    </message>
    <message>
        <source>Turn your head to your right</source>
        <translation>Drehen Sie den Kopf nach rechts</translation>
    </message>
    <message>
        <source>photo or screen not accepted — please look at the camera yourself</source>
        <translation>Foto oder Bildschirm nicht akzeptiert — bitte schauen Sie selbst in die Kamera</translation>
    </message>
    <message>
        <source>please come closer to the camera</source>
        <translation>bitte kommen Sie näher an die Kamera</translation>
    </message>
    <message>
        <source>grayscale image: liveness needs colour, so use a colour camera (or turn liveness off in Settings)</source>
        <translation>Graustufenbild: Die Lebenderkennung braucht Farbe, verwenden Sie also eine Farbkamera (oder schalten Sie die Lebenderkennung in den Einstellungen aus)</translation>
    </message>
</context>
<context>
    <name>KioskView</name>
    <message>
        <source>Not recognised — look at the camera, or ask an administrator to enrol you</source>
        <translation>Nicht erkannt — schauen Sie in die Kamera oder lassen Sie sich von einem Administrator registrieren</translation>
    </message>
    <message>
        <source>photo or screen</source>
        <translation>Foto oder Bildschirm</translation>
    </message>
    <message>
        <source>not recognised</source>
        <translation>nicht erkannt</translation>
    </message>
    <message>
        <source>✓ Welcome, {name} — checked in at {time}</source>
        <translation>✓ Willkommen, {name} — angemeldet um {time}</translation>
    </message>
    <message>
        <source>✓ Goodbye, {name} — checked out at {time}</source>
        <translation>✓ Auf Wiedersehen, {name} — abgemeldet um {time}</translation>
    </message>
</context>
<context>
    <name>Language</name>
    <message>
        <source>The computer&apos;s language</source>
        <translation>Sprache des Computers</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Check that the camera is plugged in and switched on, and that no other program is using it. FaceGate keeps trying by itself; an administrator can choose another camera in Admin → Settings.</source>
        <translation>Prüfen Sie, ob die Kamera angeschlossen und eingeschaltet ist und kein anderes Programm sie verwendet. FaceGate versucht es von selbst weiter; ein Administrator kann unter Verwaltung → Einstellungen eine andere Kamera wählen.</translation>
    </message>
    <message>
        <source>The video has ended: no more frames to check. Restart FaceGate, or choose a camera in Admin → Settings.</source>
        <translation>Das Video ist zu Ende: keine weiteren Bilder zu prüfen. Starten Sie FaceGate neu oder wählen Sie unter Verwaltung → Einstellungen eine Kamera.</translation>
    </message>
    <message>
        <source>camera {number}</source>
        <translation>Kamera {number}</translation>
    </message>
    <message>
        <source>stream {url}</source>
        <translation>Stream {url}</translation>
    </message>
    <message>
        <source>folder “{name}”</source>
        <translation>Ordner „{name}“</translation>
    </message>
    <message>
        <source>video “{name}”</source>
        <translation>Video „{name}“</translation>
    </message>
    <message>
        <source>Screens</source>
        <translation>Ansichten</translation>
    </message>
    <message>
        <source>Check-in</source>
        <translation>Anmeldung</translation>
    </message>
    <message>
        <source>Unlock…</source>
        <translation>Entsperren…</translation>
    </message>
    <message>
        <source>Admin…</source>
        <translation>Verwaltung…</translation>
    </message>
    <message>
        <source>Kiosk mode (full screen)</source>
        <translation>Kioskmodus (Vollbild)</translation>
    </message>
    <message>
        <source>Staff: screens, admin and leaving kiosk mode (admin PIN)</source>
        <translation>Personal: Ansichten, Verwaltung und Kioskmodus verlassen (Admin-PIN)</translation>
    </message>
    <message>
        <source>Leave kiosk mode…</source>
        <translation>Kioskmodus verlassen…</translation>
    </message>
    <message>
        <source>Leaving the armed Unlock screen needs the admin PIN.</source>
        <translation>Zum Verlassen der scharfgeschalteten Entsperransicht ist die Admin-PIN nötig.</translation>
    </message>
    <message>
        <source>The Unlock screen stops check-ins: it needs the admin PIN.</source>
        <translation>Die Entsperransicht hält Anmeldungen an: Sie braucht die Admin-PIN.</translation>
    </message>
    <message>
        <source>Leaving kiosk mode needs the admin PIN.</source>
        <translation>Zum Verlassen des Kioskmodus ist die Admin-PIN nötig.</translation>
    </message>
    <message numerus="yes">
        <source>offline: %n event(s) waiting</source>
        <translation>
            <numerusform>offline: %n Ereignis wartet</numerusform>
            <numerusform>offline: %n Ereignisse warten</numerusform>
        </translation>
    </message>
    <message>
        <source>{fps} fps</source>
        <translation>{fps} fps</translation>
    </message>
    <message>
        <source>The camera is not working.

{problem}

{advice}</source>
        <translation>Die Kamera funktioniert nicht.

{problem}

{advice}</translation>
    </message>
    <message>
        <source>{source}: no more frames</source>
        <translation>{source}: keine weiteren Bilder</translation>
    </message>
    <message>
        <source>camera not working</source>
        <translation>Kamera funktioniert nicht</translation>
    </message>
    <message>
        <source>recognition or database problem (see Admin → System)</source>
        <translation>Problem mit Erkennung oder Datenbank (siehe Verwaltung → System)</translation>
    </message>
    <message>
        <source>camera and recognition working</source>
        <translation>Kamera und Erkennung funktionieren</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <source>applies when FaceGate next starts</source>
        <translation>gilt ab dem nächsten Start von FaceGate</translation>
    </message>
</context>
<context>
    <name>Tasks</name>
    <message>
        <source>unexpected error: {error}</source>
        <translation>unerwarteter Fehler: {error}</translation>
    </message>
</context>
<context>
    <name>UnlockView</name>
    <message>
        <source>Arm…</source>
        <translation>Scharf schalten…</translation>
    </message>
    <message>
        <source>Unlock for:</source>
        <translation>Entsperren für:</translation>
    </message>
    <message>
        <source>Anyone in the &apos;{group}&apos; group</source>
        <translation>Alle in der Gruppe „{group}“</translation>
    </message>
    <message>
        <source>Disarming Unlock needs the admin PIN.</source>
        <translation>Zum Unscharfschalten der Entsperrung ist die Admin-PIN nötig.</translation>
    </message>
    <message>
        <source>Arming Unlock needs the admin PIN.</source>
        <translation>Zum Scharfschalten der Entsperrung ist die Admin-PIN nötig.</translation>
    </message>
    <message>
        <source>UNLOCKED — {name}</source>
        <translation>ENTSPERRT — {name}</translation>
    </message>
    <message>
        <source>LOCKED — armed for {who}</source>
        <translation>GESPERRT — scharf für {who}</translation>
    </message>
    <message>
        <source>LOCKED</source>
        <translation>GESPERRT</translation>
    </message>
    <message>
        <source>Disarm…</source>
        <translation>Unscharf schalten…</translation>
    </message>
</context>
<context>
    <name>VideoView</name>
    <message>
        <source>Waiting for the camera…</source>
        <translation>Warte auf die Kamera…</translation>
    </message>
</context>
</TS>
