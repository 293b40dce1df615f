<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>ActionsPage</name>
    <message>
        <source>shell command, e.g. usbrelay HURTM_1=1</source>
        <translation>Shell-Befehl, z. B. usbrelay HURTM_1=1</translation>
    </message>
    <message>
        <source>https://host/path</source>
        <translation>https://host/pfad</translation>
    </message>
    <message>
        <source>mqtt://user:password@host:1883</source>
        <translation>mqtt://benutzer:passwort@host:1883</translation>
    </message>
    <message>
        <source>run</source>
        <translation>Befehl ausführen</translation>
    </message>
    <message>
        <source>webhook</source>
        <translation>Webhook</translation>
    </message>
    <message>
        <source>mqtt</source>
        <translation>MQTT</translation>
    </message>
    <message>
        <source>{method} (signed)</source>
        <translation>{method} (signiert)</translation>
    </message>
    <message>
        <source>{target}  topic {topic}</source>
        <translation>{target}  Topic {topic}</translation>
    </message>
    <message>
        <source>e.g. front door</source>
        <translation>z. B. Haupteingang</translation>
    </message>
    <message>
        <source>MQTT only, e.g. facegate/door</source>
        <translation>nur MQTT, z. B. facegate/door</translation>
    </message>
    <message>
        <source>webhook only: a file of mode 0600 holding the secret</source>
        <translation>nur Webhook: Datei mit Modus 0600, die das Geheimnis enthält</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Send a test event</source>
        <translation>Testereignis senden</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Bei</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Methode</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>Topic</source>
        <translation>Topic</translation>
    </message>
    <message>
        <source>Secret file</source>
        <translation>Geheimnisdatei</translation>
    </message>
    <message>
        <source>Added {name}.</source>
        <translation>{name} hinzugefügt.</translation>
    </message>
    <message>
        <source>Choose an action in the list first.</source>
        <translation>Wählen Sie zuerst eine Aktion in der Liste.</translation>
    </message>
    <message>
        <source>Remove action</source>
        <translation>Aktion entfernen</translation>
    </message>
    <message>
        <source>Remove {name} and the deliveries still waiting for it?</source>
        <translation>{name} und die noch wartenden Zustellungen entfernen?</translation>
    </message>
    <message>
        <source>Removed {name}.</source>
        <translation>{name} entfernt.</translation>
    </message>
    <message>
        <source>{name}: not delivered: {problem}</source>
        <translation>{name}: nicht zugestellt: {problem}</translation>
    </message>
    <message>
        <source>{name}: test event delivered.</source>
        <translation>{name}: Testereignis zugestellt.</translation>
    </message>
</context>
<context>
    <name>AdminPanel</name>
    <message>
        <source>Enrol</source>
        <translation>Erfassen</translation>
    </message>
    <message>
        <source>People</source>
        <translation>Personen</translation>
    </message>
    <message>
        <source>Attendance</source>
        <translation>Anwesenheit</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Berichte</translation>
    </message>
    <message>
        <source>Audit</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>Aktionen</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Backup</source>
        <translation>Sicherung</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
</context>
<context>
    <name>AdminWindow</name>
    <message>
        <source>FaceGate — admin</source>
        <translation>FaceGate — Verwaltung</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>Abmelden</translation>
    </message>
    <message>
        <source>Admin — check-ins go on in the kiosk window.</source>
        <translation>Verwaltung — Anmeldungen laufen im Kiosk-Fenster weiter.</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>FaceGate cannot start</source>
        <translation>FaceGate kann nicht starten</translation>
    </message>
</context>
<context>
    <name>AttendancePage</name>
    <message>
        <source>Daily summary…</source>
        <translation>Tagesübersicht…</translation>
    </message>
    <message>
        <source>Check-ins and outs…</source>
        <translation>An- und Abmeldungen…</translation>
    </message>
    <message>
        <source>Unlocks…</source>
        <translation>Entriegelungen…</translation>
    </message>
    <message>
        <source>Daily summary</source>
        <translation>Tagesübersicht</translation>
    </message>
    <message>
        <source>Check-ins and outs</source>
        <translation>An- und Abmeldungen</translation>
    </message>
    <message>
        <source>Unlocks</source>
        <translation>Entriegelungen</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>CSV exportieren</translation>
    </message>
    <message>
        <source>Corrections…</source>
        <translation>Korrekturen…</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>to</source>
        <translation>bis</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>Person</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Gruppe</translation>
    </message>
    <message>
        <source>Show voided</source>
        <translation>Stornierte anzeigen</translation>
    </message>
    <message>
        <source>Add missed…</source>
        <translation>Fehlende nachtragen…</translation>
    </message>
    <message>
        <source>Change time…</source>
        <translation>Zeit ändern…</translation>
    </message>
    <message>
        <source>Void…</source>
        <translation>Stornieren…</translation>
    </message>
    <message>
        <source>Select a check-in or check-out first.</source>
        <translation>Wählen Sie zuerst eine Anmeldung oder Abmeldung aus.</translation>
    </message>
    <message>
        <source>That event is voided already.</source>
        <translation>Dieser Eintrag ist bereits storniert.</translation>
    </message>
    <message>
        <source>Corrections need the admin PIN.</source>
        <translation>Korrekturen erfordern die Admin-PIN.</translation>
    </message>
    <message>
        <source>added</source>
        <translation>nachgetragen</translation>
    </message>
    <message>
        <source>edited (was {time})</source>
        <translation>geändert (war {time})</translation>
    </message>
    <message>
        <source>voided</source>
        <translation>storniert</translation>
    </message>
    <message numerus="yes">
        <source>%n event(s)</source>
        <translation>
            <numerusform>%n Ereignis</numerusform>
            <numerusform>%n Ereignisse</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n person-day(s)</source>
        <translation>
            <numerusform>%n Personentag</numerusform>
            <numerusform>%n Personentage</numerusform>
        </translation>
    </message>
    <message>
        <source>{events}, {days}, {unlocks}.</source>
        <translation>{events}, {days}, {unlocks}.</translation>
    </message>
    <message numerus="yes">
        <source>%n unlock(s)</source>
        <translation>
            <numerusform>%n Entriegelung</numerusform>
            <numerusform>%n Entriegelungen</numerusform>
        </translation>
    </message>
    <message>
        <source>{events}, {days}.</source>
        <translation>{events}, {days}.</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n correction(s) to {path}.</source>
        <translation>
            <numerusform>%n Korrektur nach {path} exportiert.</numerusform>
            <numerusform>%n Korrekturen nach {path} exportiert.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n person-day(s) to {path}.</source>
        <translation>
            <numerusform>%n Personentag nach {path} exportiert.</numerusform>
            <numerusform>%n Personentage nach {path} exportiert.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n unlock(s) to {path}.</source>
        <translation>
            <numerusform>%n Entriegelung nach {path} exportiert.</numerusform>
            <numerusform>%n Entriegelungen nach {path} exportiert.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n event(s) to {path}.</source>
        <translation>
            <numerusform>%n Ereignis nach {path} exportiert.</numerusform>
            <numerusform>%n Ereignisse nach {path} exportiert.</numerusform>
        </translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
</context>
<context>
    <name>AuditKind</name>
    <message>
        <source>enrolment</source>
        <translation>Erfassung</translation>
    </message>
    <message>
        <source>deletion</source>
        <translation>Löschung</translation>
    </message>
    <message>
        <source>person</source>
        <translation>Person</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>refused photo</source>
        <translation>abgewiesenes Foto</translation>
    </message>
    <message>
        <source>settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>correction</source>
        <translation>Korrektur</translation>
    </message>
    <message>
        <source>other</source>
        <translation>Sonstiges</translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <source>All kinds</source>
        <translation>Alle Arten</translation>
    </message>
    <message>
        <source>Search actor, action, detail</source>
        <translation>Akteur, Aktion, Detail suchen</translation>
    </message>
    <message>
        <source>Search the audit log</source>
        <translation>Audit-Protokoll durchsuchen</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>{shown} of {total} entries shown.</source>
        <translation>{shown} von {total} Einträgen angezeigt.</translation>
    </message>
    <message>
        <source>Export audit log</source>
        <translation>Protokoll exportieren</translation>
    </message>
    <message>
        <source>Exported {count} entries to {path}.</source>
        <translation>{count} Einträge nach {path} exportiert.</translation>
    </message>
</context>
<context>
    <name>BackupPage</name>
    <message>
        <source>Include the face-data key, sealed under a passphrase</source>
        <translation>Schlüssel der Gesichtsdaten einschließen, mit einer Passphrase versiegelt</translation>
    </message>
    <message>
        <source>Back up now</source>
        <translation>Jetzt sichern</translation>
    </message>
    <message>
        <source>a backup file</source>
        <translation>eine Sicherungsdatei</translation>
    </message>
    <message>
        <source>Replace the current database (everything since the backup is lost)</source>
        <translation>Aktuelle Datenbank ersetzen (alles seit der Sicherung geht verloren)</translation>
    </message>
    <message>
        <source>Restore…</source>
        <translation>Wiederherstellen…</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Back up</source>
        <translation>Sichern</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>Datei:</translation>
    </message>
    <message>
        <source>Passphrase:</source>
        <translation>Passphrase:</translation>
    </message>
    <message>
        <source>Passphrase again:</source>
        <translation>Passphrase wiederholen:</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>Wiederherstellen</translation>
    </message>
    <message>
        <source>Passphrase (if it holds the key):</source>
        <translation>Passphrase (falls sie den Schlüssel enthält):</translation>
    </message>
    <message>
        <source>Back up to</source>
        <translation>Sichern nach</translation>
    </message>
    <message>
        <source>Restore from</source>
        <translation>Wiederherstellen aus</translation>
    </message>
    <message>
        <source>⚠ Choose the file to write first.</source>
        <translation>⚠ Wählen Sie zuerst die zu schreibende Datei.</translation>
    </message>
    <message>
        <source>⚠ Type the same passphrase twice: it seals the key.</source>
        <translation>⚠ Geben Sie zweimal dieselbe Passphrase ein: Sie versiegelt den Schlüssel.</translation>
    </message>
    <message>
        <source>Backing up…</source>
        <translation>Sicherung läuft…</translation>
    </message>
    <message>
        <source>Wrote {file}. The face-data key is inside, sealed under the passphrase.</source>
        <translation>{file} geschrieben. Der Schlüssel der Gesichtsdaten ist enthalten, mit der Passphrase versiegelt.</translation>
    </message>
    <message>
        <source>Wrote {file}. The face-data key is not inside: keep {key} safe apart.</source>
        <translation>{file} geschrieben. Der Schlüssel der Gesichtsdaten ist nicht enthalten: Bewahren Sie {key} getrennt und sicher auf.</translation>
    </message>
    <message>
        <source>⚠ Choose the backup file first.</source>
        <translation>⚠ Wählen Sie zuerst die Sicherungsdatei.</translation>
    </message>
    <message>
        <source>⚠ Restoring replaces the current database: tick the box to confirm.</source>
        <translation>⚠ Die Wiederherstellung ersetzt die aktuelle Datenbank: Setzen Sie zur Bestätigung das Häkchen.</translation>
    </message>
    <message>
        <source>Restoring…</source>
        <translation>Wiederherstellung läuft…</translation>
    </message>
    <message>
        <source>Restored the backup of {created} (schema {schema}, migrated from {old}).</source>
        <translation>Sicherung vom {created} wiederhergestellt (Schema {schema}, migriert von {old}).</translation>
    </message>
    <message>
        <source>Restored the backup of {created} (schema {schema}).</source>
        <translation>Sicherung vom {created} wiederhergestellt (Schema {schema}).</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <source>Done</source>
        <translation>Erledigt</translation>
    </message>
    <message>
        <source>Notice</source>
        <translation>Hinweis</translation>
    </message>
    <message>
        <source>Hint</source>
        <translation>Tipp</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Please do this</source>
        <translation>Bitte tun Sie Folgendes</translation>
    </message>
    <message>
        <source>{kind}: {text}</source>
        <translation>{kind}: {text}</translation>
    </message>
</context>
<context>
    <name>CalibrateDialog</name>
    <message>
        <source>In use now: the calibrated threshold {threshold} (it replaces the strictness&apos;s); the model&apos;s secure floor is {floor}.</source>
        <translation>Derzeit verwendet: die kalibrierte Schwelle {threshold} (sie ersetzt die der Strenge); die sichere Untergrenze des Modells ist {floor}.</translation>
    </message>
    <message>
        <source>In use now: the {strictness} threshold {threshold}; the model&apos;s secure floor is {floor}.</source>
        <translation>Derzeit verwendet: die Schwelle „{strictness}“ {threshold}; die sichere Untergrenze des Modells ist {floor}.</translation>
    </message>
    <message>
        <source>Calibrate liveness</source>
        <translation>Lebenderkennung kalibrieren</translation>
    </message>
    <message>
        <source>Have live people stand in front of the camera, one at a time, facing it and moving a little, in the light the kiosk works in. No photos or screens in view. The proposal refuses at most 1 % of their frames, but never goes below the model&apos;s secure floor.</source>
        <translation>Lassen Sie lebende Personen einzeln vor die Kamera treten, ihr zugewandt und leicht in Bewegung, bei dem Licht, in dem der Kiosk arbeitet. Keine Fotos oder Bildschirme im Bild. Der Vorschlag weist höchstens 1 % ihrer Bilder ab, geht aber nie unter die sichere Untergrenze des Modells.</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Übernehmen</translation>
    </message>
    <message>
        <source>Use the strictness&apos;s threshold</source>
        <translation>Schwelle der Strenge verwenden</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Record for:</source>
        <translation>Aufnehmen für:</translation>
    </message>
    <message>
        <source>Recording…</source>
        <translation>Aufnahme läuft…</translation>
    </message>
    <message>
        <source>{frames} frames, {judged} with a face judged</source>
        <translation>{frames} Bilder, {judged} mit bewertetem Gesicht</translation>
    </message>
    <message>
        <source>⚠ {problem}. Nothing was changed.</source>
        <translation>⚠ {problem}. Es wurde nichts geändert.</translation>
    </message>
    <message>
        <source>Apply saves this threshold for every kiosk of the site.</source>
        <translation>„Übernehmen“ speichert diese Schwelle für jeden Kiosk des Standorts.</translation>
    </message>
    <message>
        <source>The kiosk uses the strictness&apos;s threshold again.</source>
        <translation>Der Kiosk verwendet wieder die Schwelle der Strenge.</translation>
    </message>
</context>
<context>
    <name>Calibration</name>
    <message>
        <source>no face seen: stand in front of the camera, one person at a time, and calibrate again</source>
        <translation>Kein Gesicht gesehen: Treten Sie einzeln vor die Kamera und kalibrieren Sie erneut</translation>
    </message>
    <message>
        <source>{frames} frames: {judged} with a face judged, {no_face} without a face, {too_small} with a face too small to judge</source>
        <translation>{frames} Bilder: {judged} mit einem bewerteten Gesicht, {no_face} ohne Gesicht, {too_small} mit einem zu kleinen Gesicht</translation>
    </message>
    <message>
        <source>proposed liveness threshold {threshold}: refuses {refused} of these {judged} live frames ({share} %)</source>
        <translation>Vorgeschlagene Schwelle der Lebenderkennung {threshold}: weist {refused} dieser {judged} echten Bilder ab ({share} %)</translation>
    </message>
    <message>
        <source>the secure floor wins: refusing only {share} % of these frames needs a threshold under the model&apos;s secure floor {floor}, which would let photos and screens through; better light or a closer camera lowers the share refused</source>
        <translation>Die sichere Untergrenze gilt: Um nur {share} % dieser Bilder abzuweisen, wäre eine Schwelle unter der sicheren Untergrenze des Modells {floor} nötig, die Fotos und Bildschirme durchließe; besseres Licht oder eine nähere Kamera senkt den abgewiesenen Anteil</translation>
    </message>
    <message>
        <source>the camera gave no frames</source>
        <translation>Die Kamera hat keine Bilder geliefert</translation>
    </message>
    <message>
        <source>only {judged} frames held a face close enough to judge ({needed} needed): stand closer to the camera, and calibrate for longer</source>
        <translation>Nur {judged} Bilder zeigten ein Gesicht nah genug zur Bewertung ({needed} nötig): Treten Sie näher an die Kamera und kalibrieren Sie länger</translation>
    </message>
    <message>
        <source>the face did not change from frame to frame: this is a still picture fed in as a camera, not live people; calibrate on the real camera</source>
        <translation>Das Gesicht hat sich von Bild zu Bild nicht verändert: Das ist ein Standbild, das als Kamera eingespeist wird, keine lebenden Personen; kalibrieren Sie mit der echten Kamera</translation>
    </message>
    <message>
        <source>{attacks} of {judged} faces scored like a photo or screen (under {level}): calibrate with live people only, no photos or screens in view</source>
        <translation>{attacks} von {judged} Gesichtern wurden wie ein Foto oder Bildschirm bewertet (unter {level}): Kalibrieren Sie nur mit lebenden Personen, ohne Fotos oder Bildschirme im Bild</translation>
    </message>
</context>
<context>
    <name>CorrectionDialog</name>
    <message>
        <source>Add a missed event</source>
        <translation>Fehlenden Eintrag nachtragen</translation>
    </message>
    <message>
        <source>Change an event&apos;s time</source>
        <translation>Zeit eines Eintrags ändern</translation>
    </message>
    <message>
        <source>Void an event</source>
        <translation>Eintrag stornieren</translation>
    </message>
    <message>
        <source>Why the record is wrong</source>
        <translation>Warum der Eintrag falsch ist</translation>
    </message>
    <message>
        <source>{kind} of {name} at {time}</source>
        <translation>{kind} von {name} um {time}</translation>
    </message>
    <message>
        <source>Event:</source>
        <translation>Eintrag:</translation>
    </message>
    <message>
        <source>Person:</source>
        <translation>Person:</translation>
    </message>
    <message>
        <source>Time:</source>
        <translation>Zeit:</translation>
    </message>
    <message>
        <source>New time:</source>
        <translation>Neue Zeit:</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>Grund:</translation>
    </message>
    <message>
        <source>Give a reason: it is kept with the correction.</source>
        <translation>Geben Sie einen Grund an: Er wird mit der Korrektur gespeichert.</translation>
    </message>
    <message>
        <source>Choose the person.</source>
        <translation>Wählen Sie die Person.</translation>
    </message>
</context>
<context>
    <name>DateRange</name>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>to</source>
        <translation>bis</translation>
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
    <name>EnrolPage</name>
    <message>
        <source>No camera picture: check that the camera is plugged in and chosen in Settings, then try again.</source>
        <translation>Kein Kamerabild: Prüfen Sie, ob die Kamera angeschlossen und in den Einstellungen gewählt ist, und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Capture takes 5 to 10 good frames; follow the prompts.</source>
        <translation>Die Aufnahme braucht 5 bis 10 gute Bilder; folgen Sie den Hinweisen.</translation>
    </message>
    <message>
        <source>Full name (an existing name adds to that person)</source>
        <translation>Vollständiger Name (ein vorhandener Name ergänzt diese Person)</translation>
    </message>
    <message>
        <source>optional, e.g. staff or admin</source>
        <translation>optional, z. B. staff oder admin</translation>
    </message>
    <message>
        <source>optional, e.g. employee number</source>
        <translation>optional, z. B. Personalnummer</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>Group:</source>
        <translation>Gruppe:</translation>
    </message>
    <message>
        <source>External id:</source>
        <translation>Externe ID:</translation>
    </message>
    <message>
        <source>Add photos…</source>
        <translation>Fotos hinzufügen…</translation>
    </message>
    <message>
        <source>From photos (or drop image files here)</source>
        <translation>Aus Fotos (oder Bilddateien hierher ziehen)</translation>
    </message>
    <message>
        <source>Start camera capture</source>
        <translation>Kameraaufnahme starten</translation>
    </message>
    <message>
        <source>From the camera</source>
        <translation>Von der Kamera</translation>
    </message>
    <message>
        <source>Refuse these photos</source>
        <translation>Diese Fotos abweisen</translation>
    </message>
    <message>
        <source>Enrol</source>
        <translation>Erfassen</translation>
    </message>
    <message>
        <source>Photos of the person</source>
        <translation>Fotos der Person</translation>
    </message>
    <message>
        <source>Images ({patterns})</source>
        <translation>Bilder ({patterns})</translation>
    </message>
    <message numerus="yes">
        <source>Checking %n photo(s)…</source>
        <translation>
            <numerusform>%n Foto wird geprüft…</numerusform>
            <numerusform>%n Fotos werden geprüft…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{usable} of %n photo(s) usable.</source>
        <translation>
            <numerusform>{usable} von %n Foto verwendbar.</numerusform>
            <numerusform>{usable} von %n Fotos verwendbar.</numerusform>
        </translation>
    </message>
    <message>
        <source>cannot be read: {detail}</source>
        <translation>nicht lesbar: {detail}</translation>
    </message>
    <message numerus="yes">
        <source>%n camera sample(s) ready.</source>
        <translation>
            <numerusform>%n Kamerabild bereit.</numerusform>
            <numerusform>%n Kamerabilder bereit.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Refused %n photo(s).</source>
        <translation>
            <numerusform>%n Foto abgewiesen.</numerusform>
            <numerusform>%n Fotos abgewiesen.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Enrolled {name}: %n template(s) stored.</source>
        <translation>
            <numerusform>{name} erfasst: %n Vorlage gespeichert.</numerusform>
            <numerusform>{name} erfasst: %n Vorlagen gespeichert.</numerusform>
        </translation>
    </message>
    <message>
        <source>Stop capture</source>
        <translation>Aufnahme beenden</translation>
    </message>
    <message>
        <source>Type the person&apos;s name first.</source>
        <translation>Geben Sie zuerst den Namen der Person ein.</translation>
    </message>
    <message>
        <source>⚠ {problem}. Refuse them, or enrol anyway only if they are {name}.</source>
        <translation>⚠ {problem}. Weisen Sie sie ab, oder erfassen Sie sie trotzdem nur, wenn es {name} ist.</translation>
    </message>
    <message>
        <source>Enrol anyway</source>
        <translation>Trotzdem erfassen</translation>
    </message>
    <message>
        <source>These photos:</source>
        <translation>Diese Fotos:</translation>
    </message>
    <message>
        <source>{name} as enrolled:</source>
        <translation>{name} wie erfasst:</translation>
    </message>
    <message>
        <source>{name}, already enrolled:</source>
        <translation>{name}, bereits erfasst:</translation>
    </message>
    <message>
        <source>✗ {photo} — refused: not the same person</source>
        <translation>✗ {photo} — abgewiesen: nicht dieselbe Person</translation>
    </message>
</context>
<context>
    <name>Enrolment</name>
    <message>
        <source>{photo} does not match {name}&apos;s templates (similarity {similarity}, need {need})</source>
        <translation>{photo} passt nicht zu den Vorlagen von {name} (Ähnlichkeit {similarity}, nötig {need})</translation>
    </message>
    <message>
        <source>{photo} does not match the other photos (similarity {similarity}, need {need})</source>
        <translation>{photo} passt nicht zu den anderen Fotos (Ähnlichkeit {similarity}, nötig {need})</translation>
    </message>
    <message>
        <source>face {number}</source>
        <translation>Gesicht {number}</translation>
    </message>
    <message>
        <source>these faces already match {name} (#{id}, {similarity})</source>
        <translation>Diese Gesichter passen bereits zu {name} (#{id}, {similarity})</translation>
    </message>
    <message>
        <source>look straight at the camera</source>
        <translation>Schauen Sie gerade in die Kamera</translation>
    </message>
    <message>
        <source>turn your head a little to the left</source>
        <translation>Drehen Sie den Kopf ein wenig nach links</translation>
    </message>
    <message>
        <source>turn your head a little to the right</source>
        <translation>Drehen Sie den Kopf ein wenig nach rechts</translation>
    </message>
    <message>
        <source>tilt your chin up a little</source>
        <translation>Heben Sie das Kinn ein wenig</translation>
    </message>
    <message>
        <source>tilt your chin down a little</source>
        <translation>Senken Sie das Kinn ein wenig</translation>
    </message>
    <message>
        <source>done</source>
        <translation>fertig</translation>
    </message>
    <message>
        <source>now {prompt}</source>
        <translation>jetzt: {prompt}</translation>
    </message>
    <message>
        <source>got it; now {prompt}</source>
        <translation>erfasst; jetzt: {prompt}</translation>
    </message>
    <message>
        <source>no face found: face the camera in good light</source>
        <translation>Kein Gesicht gefunden: Wenden Sie sich bei gutem Licht der Kamera zu</translation>
    </message>
    <message>
        <source>more than one face: only the person being enrolled should be in the picture</source>
        <translation>Mehr als ein Gesicht: Nur die zu registrierende Person darf im Bild sein</translation>
    </message>
    <message>
        <source>face too small ({size} px, need {need}): come closer</source>
        <translation>Gesicht zu klein ({size} px, nötig {need}): Kommen Sie näher</translation>
    </message>
    <message>
        <source>head tilted {degrees}°: keep your eyes level</source>
        <translation>Kopf um {degrees}° geneigt: Halten Sie die Augen waagerecht</translation>
    </message>
    <message>
        <source>face turned away: look straight at the camera</source>
        <translation>Gesicht abgewandt: Schauen Sie gerade in die Kamera</translation>
    </message>
    <message>
        <source>too dark: add light in front of the face</source>
        <translation>Zu dunkel: Sorgen Sie für mehr Licht vor dem Gesicht</translation>
    </message>
    <message>
        <source>too bright: avoid direct light or glare on the face</source>
        <translation>Zu hell: Vermeiden Sie direktes Licht oder Blendung auf dem Gesicht</translation>
    </message>
    <message>
        <source>blurred: hold still (or use a sharper photo)</source>
        <translation>Unscharf: Halten Sie still (oder verwenden Sie ein schärferes Foto)</translation>
    </message>
</context>
<context>
    <name>EventKind</name>
    <message>
        <source>check-in</source>
        <translation>Anmeldung</translation>
    </message>
    <message>
        <source>check-out</source>
        <translation>Abmeldung</translation>
    </message>
    <message>
        <source>unlock</source>
        <translation>Entriegelung</translation>
    </message>
    <message>
        <source>attack</source>
        <translation>Angriff</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Export people</source>
        <translation>Personen exportieren</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>Datei:</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>Format:</translation>
    </message>
    <message>
        <source>⚠ Choose a file first.</source>
        <translation>⚠ Wählen Sie zuerst eine Datei.</translation>
    </message>
    <message>
        <source>Wrote 1 person to {path}.</source>
        <translation>1 Person nach {path} geschrieben.</translation>
    </message>
    <message>
        <source>Wrote {count} people to {path}.</source>
        <translation>{count} Personen nach {path} geschrieben.</translation>
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
    <name>HistogramView</name>
    <message>
        <source>green: live scores on this camera</source>
        <translation>grün: Lebend-Werte an dieser Kamera</translation>
    </message>
    <message>
        <source>red: attacks (shipped with the model)</source>
        <translation>rot: Angriffe (mit dem Modell geliefert)</translation>
    </message>
    <message>
        <source>(the model ships no attack scores)</source>
        <translation>(das Modell liefert keine Angriffswerte)</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <source>Import people</source>
        <translation>Personen importieren</translation>
    </message>
    <message>
        <source>people.csv: columns name, photo (a;b), group, external_id</source>
        <translation>people.csv: Spalten name, photo (a;b), group, external_id</translation>
    </message>
    <message>
        <source>the folder photo names are relative to (default: the CSV&apos;s)</source>
        <translation>Ordner, auf den sich die Fotonamen beziehen (Standard: der der CSV-Datei)</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>Prüfen</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Importieren</translation>
    </message>
    <message>
        <source>CSV file:</source>
        <translation>CSV-Datei:</translation>
    </message>
    <message>
        <source>Photo folder:</source>
        <translation>Fotoordner:</translation>
    </message>
    <message>
        <source>People CSV</source>
        <translation>Personen-CSV</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV-Dateien (*.csv);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Photo folder</source>
        <translation>Fotoordner</translation>
    </message>
    <message>
        <source>Checking every row (nothing is stored yet)…</source>
        <translation>Jede Zeile wird geprüft (noch wird nichts gespeichert)…</translation>
    </message>
    <message>
        <source>All {count} rows can be enrolled: press Import.</source>
        <translation>Alle {count} Zeilen können erfasst werden: Drücken Sie „Importieren“.</translation>
    </message>
    <message>
        <source>Enrolling {count} people…</source>
        <translation>{count} Personen werden erfasst…</translation>
    </message>
    <message>
        <source>Imported {count} people.</source>
        <translation>{count} Personen importiert.</translation>
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
        <source>Welcome, {name} — checked in at {time}</source>
        <translation>Willkommen, {name} — angemeldet um {time}</translation>
    </message>
    <message>
        <source>Goodbye, {name} — checked out at {time}</source>
        <translation>Auf Wiedersehen, {name} — abgemeldet um {time}</translation>
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
    <name>PeopleFilters</name>
    <message>
        <source>Everyone</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>All groups</source>
        <translation>Alle Gruppen</translation>
    </message>
</context>
<context>
    <name>PeoplePage</name>
    <message>
        <source>{count} · ⚠ made by a model not in use</source>
        <translation>{count} · ⚠ von einem nicht verwendeten Modell erstellt</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>active</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <source>deactivated</source>
        <translation>deaktiviert</translation>
    </message>
    <message>
        <source>Show deactivated</source>
        <translation>Deaktivierte anzeigen</translation>
    </message>
    <message>
        <source>Search name, external id or group</source>
        <translation>Name, externe ID oder Gruppe suchen</translation>
    </message>
    <message>
        <source>Search people</source>
        <translation>Personen suchen</translation>
    </message>
    <message>
        <source>Make missing templates</source>
        <translation>Fehlende Vorlagen erstellen</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Bearbeiten…</translation>
    </message>
    <message>
        <source>Deactivate / reactivate</source>
        <translation>Deaktivieren / reaktivieren</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Löschen…</translation>
    </message>
    <message>
        <source>Re-enrol…</source>
        <translation>Neu erfassen…</translation>
    </message>
    <message>
        <source>Templates…</source>
        <translation>Vorlagen…</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>Importieren…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren…</translation>
    </message>
    <message numerus="yes">
        <source>%n template(s) were made by a model not in use.</source>
        <translation>
            <numerusform>%n Vorlage wurde von einem nicht verwendeten Modell erstellt.</numerusform>
            <numerusform>%n Vorlagen wurden von einem nicht verwendeten Modell erstellt.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n kept face(s) lack a template of a model in use: make them from their crops.</source>
        <translation>
            <numerusform>%n aufbewahrtem Gesicht fehlt eine Vorlage eines verwendeten Modells: Erstellen Sie sie aus den Ausschnitten.</numerusform>
            <numerusform>%n aufbewahrten Gesichtern fehlt eine Vorlage eines verwendeten Modells: Erstellen Sie sie aus den Ausschnitten.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Made %n template(s) from kept crops; enrol again (no kept crop): {names}.</source>
        <translation>
            <numerusform>%n Vorlage aus aufbewahrten Ausschnitten erstellt; erneut erfassen (kein aufbewahrter Ausschnitt): {names}.</numerusform>
            <numerusform>%n Vorlagen aus aufbewahrten Ausschnitten erstellt; erneut erfassen (kein aufbewahrter Ausschnitt): {names}.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Made %n template(s) from kept crops.</source>
        <translation>
            <numerusform>%n Vorlage aus aufbewahrten Ausschnitten erstellt.</numerusform>
            <numerusform>%n Vorlagen aus aufbewahrten Ausschnitten erstellt.</numerusform>
        </translation>
    </message>
    <message>
        <source>Enrol again (no kept crop): {names}.</source>
        <translation>Erneut erfassen (kein aufbewahrter Ausschnitt): {names}.</translation>
    </message>
    <message>
        <source>Select a person first.</source>
        <translation>Wählen Sie zuerst eine Person.</translation>
    </message>
    <message>
        <source>Saved {name}.</source>
        <translation>{name} gespeichert.</translation>
    </message>
    <message>
        <source>{name} is no longer recognised.</source>
        <translation>{name} wird nicht mehr erkannt.</translation>
    </message>
    <message>
        <source>{name} is recognised again.</source>
        <translation>{name} wird wieder erkannt.</translation>
    </message>
    <message>
        <source>Delete person</source>
        <translation>Person löschen</translation>
    </message>
    <message>
        <source>Delete {name} with their face templates and all their attendance records?
This cannot be undone; deactivate instead to keep the history.</source>
        <translation>{name} mit den Gesichtsvorlagen und allen Anwesenheitsdaten löschen?
Das kann nicht rückgängig gemacht werden; deaktivieren Sie stattdessen, um den Verlauf zu behalten.</translation>
    </message>
    <message>
        <source>Deleted {name}.</source>
        <translation>{name} gelöscht.</translation>
    </message>
    <message>
        <source>Making templates from the kept face crops…</source>
        <translation>Vorlagen werden aus den aufbewahrten Gesichtsausschnitten erstellt…</translation>
    </message>
</context>
<context>
    <name>PersonDialog</name>
    <message>
        <source>Edit {name}</source>
        <translation>{name} bearbeiten</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>External id:</source>
        <translation>Externe ID:</translation>
    </message>
    <message>
        <source>Group:</source>
        <translation>Gruppe:</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <source>Choose the admin PIN</source>
        <translation>Admin-PIN festlegen</translation>
    </message>
    <message>
        <source>Admin PIN</source>
        <translation>Admin-PIN</translation>
    </message>
    <message>
        <source>Choose a PIN of at least {digits} digits to protect the admin area.</source>
        <translation>Wählen Sie eine PIN mit mindestens {digits} Ziffern, um den Verwaltungsbereich zu schützen.</translation>
    </message>
    <message>
        <source>PIN:</source>
        <translation>PIN:</translation>
    </message>
    <message>
        <source>Repeat:</source>
        <translation>Wiederholen:</translation>
    </message>
    <message>
        <source>The two PINs differ.</source>
        <translation>Die beiden PINs stimmen nicht überein.</translation>
    </message>
</context>
<context>
    <name>Problem</name>
    <message>
        <source>⚠ This did not work: {detail}</source>
        <translation>⚠ Das hat nicht geklappt: {detail}</translation>
    </message>
</context>
<context>
    <name>RecordTable</name>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>Person</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Gruppe</translation>
    </message>
    <message>
        <source>Days present</source>
        <translation>Anwesende Tage</translation>
    </message>
    <message>
        <source>Hours</source>
        <translation>Stunden</translation>
    </message>
    <message>
        <source>No check-out</source>
        <translation>Keine Abmeldung</translation>
    </message>
    <message>
        <source>Late</source>
        <translation>Verspätet</translation>
    </message>
    <message>
        <source>Absent</source>
        <translation>Abwesend</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>Tag</translation>
    </message>
    <message>
        <source>Working day</source>
        <translation>Arbeitstag</translation>
    </message>
    <message>
        <source>Present</source>
        <translation>Anwesend</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Wer</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Ereignisse</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Methode</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Wartend</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <source>Similarity</source>
        <translation>Ähnlichkeit</translation>
    </message>
    <message>
        <source>Kiosk</source>
        <translation>Kiosk</translation>
    </message>
    <message>
        <source>Correction</source>
        <translation>Korrektur</translation>
    </message>
    <message>
        <source>First in</source>
        <translation>Erste Anmeldung</translation>
    </message>
    <message>
        <source>Last out</source>
        <translation>Letzte Abmeldung</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Actor</source>
        <translation>Akteur</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Detail</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>External id</source>
        <translation>Externe ID</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Templates</source>
        <translation>Vorlagen</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>Zuletzt gesehen</translation>
    </message>
    <message>
        <source>In since</source>
        <translation>Da seit</translation>
    </message>
    <message>
        <source>Mon</source>
        <translation>Mo</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>Di</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>Mi</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>Do</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>Fr</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>Sa</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>So</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <source>A day without a check-out counts 0 hours and is listed under &apos;no check-out&apos;.</source>
        <translation>Ein Tag ohne Abmeldung zählt 0 Stunden und wird unter „Keine Abmeldung“ geführt.</translation>
    </message>
    <message>
        <source>Arrivals by time of day</source>
        <translation>Ankünfte nach Tageszeit</translation>
    </message>
    <message>
        <source>people-days</source>
        <translation>Personentage</translation>
    </message>
    <message>
        <source>no check-ins</source>
        <translation>keine Anmeldungen</translation>
    </message>
    <message>
        <source>before {time}</source>
        <translation>vor {time}</translation>
    </message>
    <message>
        <source>from {time}</source>
        <translation>ab {time}</translation>
    </message>
    <message>
        <source>time of day</source>
        <translation>Tageszeit</translation>
    </message>
    <message>
        <source>Attendance per day</source>
        <translation>Anwesenheit pro Tag</translation>
    </message>
    <message>
        <source>people present</source>
        <translation>anwesende Personen</translation>
    </message>
    <message>
        <source>working day</source>
        <translation>Arbeitstag</translation>
    </message>
    <message>
        <source>day off</source>
        <translation>freier Tag</translation>
    </message>
    <message>
        <source>Hours per person</source>
        <translation>Stunden pro Person</translation>
    </message>
    <message>
        <source>hours (first check-in to last check-out)</source>
        <translation>Stunden (erste Anmeldung bis letzte Abmeldung)</translation>
    </message>
    <message>
        <source>nobody</source>
        <translation>niemand</translation>
    </message>
    <message>
        <source>Work starts {start} (late after {grace} min grace); working days {days}; holidays {holidays}.</source>
        <translation>Arbeitsbeginn {start} (verspätet nach {grace} Min. Kulanz); Arbeitstage {days}; Feiertage {holidays}.</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>Save report…</source>
        <translation>Bericht speichern…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>Whose last event today is a check-in:</source>
        <translation>Wessen letztes Ereignis heute eine Anmeldung ist:</translation>
    </message>
    <message>
        <source>Per person</source>
        <translation>Pro Person</translation>
    </message>
    <message>
        <source>Per day</source>
        <translation>Pro Tag</translation>
    </message>
    <message>
        <source>Charts</source>
        <translation>Diagramme</translation>
    </message>
    <message>
        <source>Who is in now</source>
        <translation>Wer ist jetzt da</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>Person</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Gruppe</translation>
    </message>
    <message>
        <source>⚠ The last day is before the first.</source>
        <translation>⚠ Der letzte Tag liegt vor dem ersten.</translation>
    </message>
    <message>
        <source>{people} people, {days} days, {working} working.</source>
        <translation>{people} Personen, {days} Tage, davon {working} Arbeitstage.</translation>
    </message>
    <message>
        <source>{count} in now</source>
        <translation>{count} jetzt da</translation>
    </message>
    <message>
        <source>Save report</source>
        <translation>Bericht speichern</translation>
    </message>
    <message>
        <source>⚠ Choose a file ending in {suffixes}.</source>
        <translation>⚠ Wählen Sie eine Datei mit der Endung {suffixes}.</translation>
    </message>
    <message>
        <source>Saved the {format} report to {path} ({size} bytes).</source>
        <translation>{format}-Bericht unter {path} gespeichert ({size} Bytes).</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Automatic (first in, last out)</source>
        <translation>Automatisch (erste Erkennung an, letzte ab)</translation>
    </message>
    <message>
        <source>In and Out buttons</source>
        <translation>Tasten für An- und Abmeldung</translation>
    </message>
    <message numerus="yes">
        <source>In use now, with %n stored face(s): check-in needs a likeness of {attendance}, unlock {unlock}, as set above. This model cannot raise them as more people are enrolled, so the limit on strangers has no effect.</source>
        <translation>
            <numerusform>Derzeit verwendet, bei %n gespeichertem Gesicht: Die Anmeldung braucht eine Ähnlichkeit von {attendance}, das Entriegeln {unlock}, wie oben eingestellt. Dieses Modell kann sie nicht anheben, wenn mehr Personen erfasst werden, daher wirkt die Grenze für Fremde nicht.</numerusform>
            <numerusform>Derzeit verwendet, bei %n gespeicherten Gesichtern: Die Anmeldung braucht eine Ähnlichkeit von {attendance}, das Entriegeln {unlock}, wie oben eingestellt. Dieses Modell kann sie nicht anheben, wenn mehr Personen erfasst werden, daher wirkt die Grenze für Fremde nicht.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>In use now, with %n stored face(s): check-in needs a likeness of {attendance} (the rule alone: {attendance_rule}, so that at most {target} % of a stranger&apos;s looks at the camera are taken for someone), unlock {unlock} (the rule alone: {unlock_rule}, one wrong unlock in 100,000 tries). The check-in bar rises as people are enrolled. The two numbers above are minimums: raise one to make the kiosk stricter; it never goes below the rule.</source>
        <translation>
            <numerusform>Derzeit verwendet, bei %n gespeichertem Gesicht: Die Anmeldung braucht eine Ähnlichkeit von {attendance} (nur nach der Regel: {attendance_rule}, sodass höchstens {target} % der Blicke eines Fremden in die Kamera für jemanden gehalten werden), das Entriegeln {unlock} (nur nach der Regel: {unlock_rule}, eine falsche Entriegelung in 100.000 Versuchen). Die Schwelle für die Anmeldung steigt, je mehr Personen erfasst werden. Die beiden Zahlen oben sind Mindestwerte: Erhöhen Sie eine, um den Kiosk strenger zu machen; er geht nie unter die Regel.</numerusform>
            <numerusform>Derzeit verwendet, bei %n gespeicherten Gesichtern: Die Anmeldung braucht eine Ähnlichkeit von {attendance} (nur nach der Regel: {attendance_rule}, sodass höchstens {target} % der Blicke eines Fremden in die Kamera für jemanden gehalten werden), das Entriegeln {unlock} (nur nach der Regel: {unlock_rule}, eine falsche Entriegelung in 100.000 Versuchen). Die Schwelle für die Anmeldung steigt, je mehr Personen erfasst werden. Die beiden Zahlen oben sind Mindestwerte: Erhöhen Sie eine, um den Kiosk strenger zu machen; er geht nie unter die Regel.</numerusform>
        </translation>
    </message>
    <message>
        <source>0, rtsp://…, a video file or a folder of images</source>
        <translation>0, rtsp://…, eine Videodatei oder ein Bildordner</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>Ordner…</translation>
    </message>
    <message>
        <source>Video file…</source>
        <translation>Videodatei…</translation>
    </message>
    <message>
        <source>Test on the enrolled people</source>
        <translation>An den erfassten Personen testen</translation>
    </message>
    <message>
        <source>Compares every pair of enrolled photos at the check-in and unlock numbers in use: how often two different people would pass for one another, and how often one person would be missed.</source>
        <translation>Vergleicht jedes Paar erfasster Fotos mit den verwendeten Werten für Anmeldung und Entriegeln: wie oft zwei verschiedene Personen füreinander gehalten und wie oft eine Person verfehlt würde.</translation>
    </message>
    <message>
        <source> %</source>
        <translation> %</translation>
    </message>
    <message>
        <source> frames</source>
        <translation> Bilder</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <source> min</source>
        <translation> Min.</translation>
    </message>
    <message>
        <source> h</source>
        <translation> Std.</translation>
    </message>
    <message>
        <source>mon tue wed thu fri</source>
        <translation>mon tue wed thu fri</translation>
    </message>
    <message>
        <source>Keep the enrolment photos&apos; faces (encrypted), so a new model needs no re-enrolment</source>
        <translation>Gesichter der Erfassungsfotos (verschlüsselt) aufbewahren, damit ein neues Modell keine Neuerfassung braucht</translation>
    </message>
    <message>
        <source>Refuse photos and screens held to the camera</source>
        <translation>Vor die Kamera gehaltene Fotos und Bildschirme abweisen</translation>
    </message>
    <message>
        <source>Calibrate liveness…</source>
        <translation>Lebenderkennung kalibrieren…</translation>
    </message>
    <message>
        <source>Unlock asks for a head turn (left or right, at random)</source>
        <translation>Zum Entriegeln den Kopf drehen (zufällig links oder rechts)</translation>
    </message>
    <message>
        <source>Double-check every recognition with the second, stronger model</source>
        <translation>Jede Erkennung mit dem zweiten, stärkeren Modell gegenprüfen</translation>
    </message>
    <message>
        <source>Standard</source>
        <translation>Standard</translation>
    </message>
    <message>
        <source>High contrast (black, white and yellow)</source>
        <translation>Hoher Kontrast (Schwarz, Weiß und Gelb)</translation>
    </message>
    <message>
        <source>A chime on each check-in, a low tone when a photo or screen is refused</source>
        <translation>Ein Glockenton bei jeder Anmeldung, ein tiefer Ton, wenn ein Foto oder Bildschirm abgelehnt wird</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Kamera</translation>
    </message>
    <message>
        <source>Source:</source>
        <translation>Quelle:</translation>
    </message>
    <message>
        <source>Smallest face:</source>
        <translation>Kleinstes Gesicht:</translation>
    </message>
    <message>
        <source>faces smaller than this in the picture are ignored</source>
        <translation>kleinere Gesichter im Bild werden ignoriert</translation>
    </message>
    <message>
        <source>This kiosk</source>
        <translation>Dieser Kiosk</translation>
    </message>
    <message>
        <source>Ignore repeats for:</source>
        <translation>Wiederholungen ignorieren für:</translation>
    </message>
    <message>
        <source>after a check-in or check-out, the same person is not recorded again for this long</source>
        <translation>nach einer An- oder Abmeldung wird dieselbe Person so lange nicht erneut erfasst</translation>
    </message>
    <message>
        <source>Kiosk name:</source>
        <translation>Kioskname:</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <source>applies when FaceGate next starts</source>
        <translation>gilt ab dem nächsten Start von FaceGate</translation>
    </message>
    <message>
        <source>Enrolment photos:</source>
        <translation>Erfassungsfotos:</translation>
    </message>
    <message>
        <source>Admin logs out after:</source>
        <translation>Verwaltung meldet sich ab nach:</translation>
    </message>
    <message>
        <source>without a key press, click or touch</source>
        <translation>ohne Tastendruck, Klick oder Berührung</translation>
    </message>
    <message>
        <source>Check-in and check-out</source>
        <translation>An- und Abmeldung</translation>
    </message>
    <message>
        <source>How:</source>
        <translation>Wie:</translation>
    </message>
    <message>
        <source>Check-out no sooner than:</source>
        <translation>Abmeldung frühestens nach:</translation>
    </message>
    <message>
        <source>after the check-in: walking past again earlier records nothing</source>
        <translation>nach der Anmeldung: früheres erneutes Vorbeigehen erfasst nichts</translation>
    </message>
    <message>
        <source>A shift lasts up to:</source>
        <translation>Eine Schicht dauert bis zu:</translation>
    </message>
    <message>
        <source>a night shift belongs to the day it began; 0: every day starts at midnight</source>
        <translation>eine Nachtschicht gehört zum Tag ihres Beginns; 0: jeder Tag beginnt um Mitternacht</translation>
    </message>
    <message>
        <source>Working days (for reports)</source>
        <translation>Arbeitstage (für Berichte)</translation>
    </message>
    <message>
        <source>Work starts at:</source>
        <translation>Arbeitsbeginn:</translation>
    </message>
    <message>
        <source>HH:MM; a later first check-in is late</source>
        <translation>HH:MM; eine spätere erste Anmeldung ist verspätet</translation>
    </message>
    <message>
        <source>Late after:</source>
        <translation>Verspätet nach:</translation>
    </message>
    <message>
        <source>minutes of grace after the start</source>
        <translation>Minuten Kulanz nach Arbeitsbeginn</translation>
    </message>
    <message>
        <source>Working days:</source>
        <translation>Arbeitstage:</translation>
    </message>
    <message>
        <source>Holidays:</source>
        <translation>Feiertage:</translation>
    </message>
    <message>
        <source>Photos and screens</source>
        <translation>Fotos und Bildschirme</translation>
    </message>
    <message>
        <source>Liveness:</source>
        <translation>Lebenderkennung:</translation>
    </message>
    <message>
        <source>Strictness:</source>
        <translation>Strenge:</translation>
    </message>
    <message>
        <source>fit the threshold to this camera&apos;s live faces</source>
        <translation>die Schwelle an die lebenden Gesichter dieser Kamera anpassen</translation>
    </message>
    <message>
        <source>Unlock:</source>
        <translation>Entriegeln:</translation>
    </message>
    <message>
        <source>Recognition:</source>
        <translation>Erkennung:</translation>
    </message>
    <message>
        <source>Accessibility</source>
        <translation>Barrierefreiheit</translation>
    </message>
    <message>
        <source>Screens:</source>
        <translation>Bildschirme:</translation>
    </message>
    <message>
        <source>Sounds:</source>
        <translation>Töne:</translation>
    </message>
    <message>
        <source>Advanced: recognition numbers</source>
        <translation>Erweitert: Erkennungswerte</translation>
    </message>
    <message>
        <source>Check-in likeness, at least:</source>
        <translation>Ähnlichkeit für Anmeldung, mindestens:</translation>
    </message>
    <message>
        <source>how alike a face must be to an enrolled one to check in: higher means fewer mix-ups, more misses</source>
        <translation>wie ähnlich ein Gesicht einem erfassten sein muss, um sich anzumelden: höher heißt weniger Verwechslungen, mehr Fehlschläge</translation>
    </message>
    <message>
        <source>Unlock likeness, at least:</source>
        <translation>Ähnlichkeit zum Entriegeln, mindestens:</translation>
    </message>
    <message>
        <source>higher than check-in, since a mix-up here opens the door</source>
        <translation>höher als bei der Anmeldung, da eine Verwechslung hier die Tür öffnet</translation>
    </message>
    <message>
        <source>Strangers taken for someone:</source>
        <translation>Fremde für jemanden gehalten:</translation>
    </message>
    <message>
        <source>at most this share of a stranger&apos;s looks, however many are enrolled</source>
        <translation>höchstens dieser Anteil der Blicke eines Fremden, egal wie viele erfasst sind</translation>
    </message>
    <message>
        <source>Confirm after:</source>
        <translation>Bestätigen nach:</translation>
    </message>
    <message>
        <source>the same person in this many frames in a row before anything is recorded</source>
        <translation>dieselbe Person in so vielen Bildern nacheinander, bevor etwas erfasst wird</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Change admin PIN…</source>
        <translation>Admin-PIN ändern…</translation>
    </message>
    <message>
        <source>Unsaved settings</source>
        <translation>Ungespeicherte Einstellungen</translation>
    </message>
    <message>
        <source>The settings have changes that are not saved.</source>
        <translation>Die Einstellungen enthalten ungespeicherte Änderungen.</translation>
    </message>
    <message>
        <source>Keep editing</source>
        <translation>Weiter bearbeiten</translation>
    </message>
    <message>
        <source>⚠ Unsaved changes: Save them, or leave the page to discard them.</source>
        <translation>⚠ Ungespeicherte Änderungen: Speichern Sie sie, oder verlassen Sie die Seite, um sie zu verwerfen.</translation>
    </message>
    <message>
        <source>Playing now: {source} (chosen when the app was started). Saving a different source here switches to it.</source>
        <translation>Läuft gerade: {source} (beim Start der App gewählt). Wenn Sie hier eine andere Quelle speichern, wird zu ihr gewechselt.</translation>
    </message>
    <message>
        <source>⚠ Not saved: see the camera source above.</source>
        <translation>⚠ Nicht gespeichert: siehe Kameraquelle oben.</translation>
    </message>
    <message>
        <source>⚠ Not saved: {problem}</source>
        <translation>⚠ Nicht gespeichert: {problem}</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Gespeichert.</translation>
    </message>
    <message>
        <source>Folder of images to play as a camera</source>
        <translation>Bildordner, der als Kamera abgespielt wird</translation>
    </message>
    <message>
        <source>Video file to play as a camera</source>
        <translation>Videodatei, die als Kamera abgespielt wird</translation>
    </message>
    <message>
        <source>Attendance</source>
        <translation>Anwesenheit</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>Entriegeln</translation>
    </message>
    <message>
        <source>Comparing every pair of enrolled templates…</source>
        <translation>Jedes Paar erfasster Vorlagen wird verglichen…</translation>
    </message>
    <message>
        <source>The calibrated liveness threshold was saved.</source>
        <translation>Die kalibrierte Schwelle der Lebenderkennung wurde gespeichert.</translation>
    </message>
    <message>
        <source>The admin PIN was changed.</source>
        <translation>Die Admin-PIN wurde geändert.</translation>
    </message>
</context>
<context>
    <name>Strictness</name>
    <message>
        <source>lenient</source>
        <translation>nachsichtig</translation>
    </message>
    <message>
        <source>normal</source>
        <translation>normal</translation>
    </message>
    <message>
        <source>strict</source>
        <translation>streng</translation>
    </message>
</context>
<context>
    <name>SystemPage</name>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>About this kiosk</source>
        <translation>Über diesen Kiosk</translation>
    </message>
    <message>
        <source>Camera:</source>
        <translation>Kamera:</translation>
    </message>
    <message>
        <source>Speed:</source>
        <translation>Geschwindigkeit:</translation>
    </message>
    <message>
        <source>Models:</source>
        <translation>Modelle:</translation>
    </message>
    <message>
        <source>Thresholds:</source>
        <translation>Schwellen:</translation>
    </message>
    <message>
        <source>Templates:</source>
        <translation>Vorlagen:</translation>
    </message>
    <message>
        <source>Last problem:</source>
        <translation>Letztes Problem:</translation>
    </message>
    <message>
        <source>unknown ({problem})</source>
        <translation>unbekannt ({problem})</translation>
    </message>
    <message numerus="yes">
        <source>%n template(s) of the model in use</source>
        <translation>
            <numerusform>%n Vorlage des verwendeten Modells</numerusform>
            <numerusform>%n Vorlagen des verwendeten Modells</numerusform>
        </translation>
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
    <name>TemplatesDialog</name>
    <message>
        <source>Templates of {name}</source>
        <translation>Vorlagen von {name}</translation>
    </message>
    <message>
        <source>Face</source>
        <translation>Gesicht</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>no crop</source>
        <translation>kein Ausschnitt</translation>
    </message>
    <message>
        <source>Select a template first.</source>
        <translation>Wählen Sie zuerst eine Vorlage.</translation>
    </message>
    <message>
        <source>Removed {templates}; the attendance history is kept.</source>
        <translation>{templates} entfernt; der Anwesenheitsverlauf bleibt erhalten.</translation>
    </message>
</context>
<context>
    <name>ThresholdCalibration</name>
    <message>
        <source>at {threshold}: false accepts {accepts}{sep}false rejects {rejects}</source>
        <translation>bei {threshold}: Falschannahmen {accepts}{sep}Falschabweisungen {rejects}</translation>
    </message>
    <message>
        <source>no impostor pairs to measure</source>
        <translation>keine Paare verschiedener Personen zum Messen</translation>
    </message>
    <message>
        <source>too few to judge ({wrong} of {total} impostor pairs, {needed} needed)</source>
        <translation>zu wenige zum Beurteilen ({wrong} von {total} Paaren verschiedener Personen, {needed} nötig)</translation>
    </message>
    <message>
        <source>{percent}% ({wrong} of {total} impostor pairs)</source>
        <translation>{percent} % ({wrong} von {total} Paaren verschiedener Personen)</translation>
    </message>
    <message>
        <source>no genuine pairs to measure</source>
        <translation>keine Paare derselben Person zum Messen</translation>
    </message>
    <message>
        <source>too few to judge ({wrong} of {total} genuine pairs, {needed} needed)</source>
        <translation>zu wenige zum Beurteilen ({wrong} von {total} Paaren derselben Person, {needed} nötig)</translation>
    </message>
    <message>
        <source>{percent}% ({wrong} of {total} genuine pairs)</source>
        <translation>{percent} % ({wrong} von {total} Paaren derselben Person)</translation>
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
    <message>
        <source>Camera picture</source>
        <translation>Kamerabild</translation>
    </message>
    <message>
        <source>The live camera, with a box and a name over each face; what happened is said in the banner above it</source>
        <translation>Das Live-Kamerabild mit einem Rahmen und einem Namen über jedem Gesicht; was geschehen ist, steht im Banner darüber</translation>
    </message>
</context>
<context>
    <name>record_view</name>
    <message>
        <source>Table: {columns}</source>
        <translation>Tabelle: {columns}</translation>
    </message>
</context>
</TS>
