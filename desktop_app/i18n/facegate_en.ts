<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>AttendancePage</name>
    <message numerus="yes">
        <source>%n event(s)</source>
        <translation>
            <numerusform>%n event</numerusform>
            <numerusform>%n events</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n person-day(s)</source>
        <translation>
            <numerusform>%n person-day</numerusform>
            <numerusform>%n person-days</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unlock(s)</source>
        <translation>
            <numerusform>%n unlock</numerusform>
            <numerusform>%n unlocks</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n correction(s) to {path}.</source>
        <translation>
            <numerusform>Exported %n correction to {path}.</numerusform>
            <numerusform>Exported %n corrections to {path}.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n person-day(s) to {path}.</source>
        <translation>
            <numerusform>Exported %n person-day to {path}.</numerusform>
            <numerusform>Exported %n person-days to {path}.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n unlock(s) to {path}.</source>
        <translation>
            <numerusform>Exported %n unlock to {path}.</numerusform>
            <numerusform>Exported %n unlocks to {path}.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n event(s) to {path}.</source>
        <translation>
            <numerusform>Exported %n event to {path}.</numerusform>
            <numerusform>Exported %n events to {path}.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>EnrolPage</name>
    <message numerus="yes">
        <source>Checking %n photo(s)…</source>
        <translation>
            <numerusform>Checking %n photo…</numerusform>
            <numerusform>Checking %n photos…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{usable} of %n photo(s) usable.</source>
        <translation>
            <numerusform>{usable} of %n photo usable.</numerusform>
            <numerusform>{usable} of %n photos usable.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n camera sample(s) ready.</source>
        <translation>
            <numerusform>%n camera sample ready.</numerusform>
            <numerusform>%n camera samples ready.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Refused %n photo(s).</source>
        <translation>
            <numerusform>Refused %n photo.</numerusform>
            <numerusform>Refused %n photos.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Enrolled {name}: %n template(s) stored.</source>
        <translation>
            <numerusform>Enrolled {name}: %n template stored.</numerusform>
            <numerusform>Enrolled {name}: %n templates stored.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>offline: %n event(s) waiting</source>
        <translation>
            <numerusform>offline: %n event waiting</numerusform>
            <numerusform>offline: %n events waiting</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PeoplePage</name>
    <message numerus="yes">
        <source>%n template(s) were made by a model not in use.</source>
        <translation>
            <numerusform>%n template was made by a model not in use.</numerusform>
            <numerusform>%n templates were made by a model not in use.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n kept face(s) lack a template of a model in use: make them from their crops.</source>
        <translation>
            <numerusform>%n kept face lacks a template of a model in use: make them from their crops.</numerusform>
            <numerusform>%n kept faces lack a template of a model in use: make them from their crops.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Made %n template(s) from kept crops; enrol again (no kept crop): {names}.</source>
        <translation>
            <numerusform>Made %n template from kept crops; enrol again (no kept crop): {names}.</numerusform>
            <numerusform>Made %n templates from kept crops; enrol again (no kept crop): {names}.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Made %n template(s) from kept crops.</source>
        <translation>
            <numerusform>Made %n template from kept crops.</numerusform>
            <numerusform>Made %n templates from kept crops.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message numerus="yes">
        <source>In use now, with %n stored face(s): check-in needs a likeness of {attendance}, unlock {unlock}, as set above. This model cannot raise them as more people are enrolled, so the limit on strangers has no effect.</source>
        <translation>
            <numerusform>In use now, with %n stored face: check-in needs a likeness of {attendance}, unlock {unlock}, as set above. This model cannot raise them as more people are enrolled, so the limit on strangers has no effect.</numerusform>
            <numerusform>In use now, with %n stored faces: check-in needs a likeness of {attendance}, unlock {unlock}, as set above. This model cannot raise them as more people are enrolled, so the limit on strangers has no effect.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>In use now, with %n stored face(s): check-in needs a likeness of {attendance} (the rule alone: {attendance_rule}, so that at most {target} % of a stranger&apos;s looks at the camera are taken for someone), unlock {unlock} (the rule alone: {unlock_rule}, one wrong unlock in 100,000 tries). The check-in bar rises as people are enrolled. The two numbers above are minimums: raise one to make the kiosk stricter; it never goes below the rule.</source>
        <translation>
            <numerusform>In use now, with %n stored face: check-in needs a likeness of {attendance} (the rule alone: {attendance_rule}, so that at most {target} % of a stranger&apos;s looks at the camera are taken for someone), unlock {unlock} (the rule alone: {unlock_rule}, one wrong unlock in 100,000 tries). The check-in bar rises as people are enrolled. The two numbers above are minimums: raise one to make the kiosk stricter; it never goes below the rule.</numerusform>
            <numerusform>In use now, with %n stored faces: check-in needs a likeness of {attendance} (the rule alone: {attendance_rule}, so that at most {target} % of a stranger&apos;s looks at the camera are taken for someone), unlock {unlock} (the rule alone: {unlock_rule}, one wrong unlock in 100,000 tries). The check-in bar rises as people are enrolled. The two numbers above are minimums: raise one to make the kiosk stricter; it never goes below the rule.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SystemPage</name>
    <message numerus="yes">
        <source>%n template(s) of the model in use</source>
        <translation>
            <numerusform>%n template of the model in use</numerusform>
            <numerusform>%n templates of the model in use</numerusform>
        </translation>
    </message>
</context>
</TS>
