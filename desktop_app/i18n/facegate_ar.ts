<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ar">
<context>
    <name>ActionsPage</name>
    <message>
        <source>shell command, e.g. usbrelay HURTM_1=1</source>
        <translation>أمر صدفة، مثلًا usbrelay HURTM_1=1</translation>
    </message>
    <message>
        <source>https://host/path</source>
        <translation>https://host/path</translation>
    </message>
    <message>
        <source>mqtt://user:password@host:1883</source>
        <translation>mqtt://user:password@host:1883</translation>
    </message>
    <message>
        <source>run</source>
        <translation>تشغيل أمر</translation>
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
        <translation>{method} (موقَّع)</translation>
    </message>
    <message>
        <source>{target}  topic {topic}</source>
        <translation>{target}  الموضوع {topic}</translation>
    </message>
    <message>
        <source>e.g. front door</source>
        <translation>مثلًا الباب الأمامي</translation>
    </message>
    <message>
        <source>MQTT only, e.g. facegate/door</source>
        <translation>لـ MQTT فقط، مثلًا facegate/door</translation>
    </message>
    <message>
        <source>webhook only: a file of mode 0600 holding the secret</source>
        <translation>لـ Webhook فقط: ملف بصلاحيات 0600 يحوي السرّ</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>إضافة</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>إزالة</translation>
    </message>
    <message>
        <source>Send a test event</source>
        <translation>إرسال حدث تجريبي</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>الاسم</translation>
    </message>
    <message>
        <source>On</source>
        <translation>عند</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>الطريقة</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>الهدف</translation>
    </message>
    <message>
        <source>Topic</source>
        <translation>الموضوع</translation>
    </message>
    <message>
        <source>Secret file</source>
        <translation>ملف السرّ</translation>
    </message>
    <message>
        <source>Added {name}.</source>
        <translation>تمت إضافة {name}.</translation>
    </message>
    <message>
        <source>Choose an action in the list first.</source>
        <translation>اختر إجراءً من القائمة أولًا.</translation>
    </message>
    <message>
        <source>Remove action</source>
        <translation>إزالة الإجراء</translation>
    </message>
    <message>
        <source>Remove {name} and the deliveries still waiting for it?</source>
        <translation>إزالة {name} وعمليات التسليم التي ما زالت بانتظاره؟</translation>
    </message>
    <message>
        <source>Removed {name}.</source>
        <translation>تمت إزالة {name}.</translation>
    </message>
    <message>
        <source>{name}: not delivered: {problem}</source>
        <translation>{name}: لم يُسلَّم: {problem}</translation>
    </message>
    <message>
        <source>{name}: test event delivered.</source>
        <translation>{name}: تم تسليم الحدث التجريبي.</translation>
    </message>
</context>
<context>
    <name>AdminPanel</name>
    <message>
        <source>Enrol</source>
        <translation>التسجيل</translation>
    </message>
    <message>
        <source>People</source>
        <translation>الأشخاص</translation>
    </message>
    <message>
        <source>Attendance</source>
        <translation>الحضور</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>التقارير</translation>
    </message>
    <message>
        <source>Audit</source>
        <translation>التدقيق</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>الإجراءات</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>الإعدادات</translation>
    </message>
    <message>
        <source>Backup</source>
        <translation>النسخ الاحتياطي</translation>
    </message>
    <message>
        <source>System</source>
        <translation>النظام</translation>
    </message>
</context>
<context>
    <name>AdminWindow</name>
    <message>
        <source>FaceGate — admin</source>
        <translation>FaceGate — الإدارة</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>تسجيل الخروج</translation>
    </message>
    <message>
        <source>Admin — check-ins go on in the kiosk window.</source>
        <translation>الإدارة — يستمر تسجيل الحضور في نافذة الجهاز.</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>FaceGate cannot start</source>
        <translation>تعذّر تشغيل FaceGate</translation>
    </message>
</context>
<context>
    <name>AttendancePage</name>
    <message>
        <source>Daily summary…</source>
        <translation>الملخص اليومي…</translation>
    </message>
    <message>
        <source>Check-ins and outs…</source>
        <translation>الحضور والانصراف…</translation>
    </message>
    <message>
        <source>Unlocks…</source>
        <translation>مرات فتح القفل…</translation>
    </message>
    <message>
        <source>Daily summary</source>
        <translation>الملخص اليومي</translation>
    </message>
    <message>
        <source>Check-ins and outs</source>
        <translation>الحضور والانصراف</translation>
    </message>
    <message>
        <source>Unlocks</source>
        <translation>مرات فتح القفل</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>تصدير CSV</translation>
    </message>
    <message>
        <source>Corrections…</source>
        <translation>التصحيحات…</translation>
    </message>
    <message>
        <source>From</source>
        <translation>من</translation>
    </message>
    <message>
        <source>to</source>
        <translation>إلى</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>الشخص</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>المجموعة</translation>
    </message>
    <message>
        <source>Show voided</source>
        <translation>إظهار الملغاة</translation>
    </message>
    <message>
        <source>Add missed…</source>
        <translation>إضافة سجل فائت…</translation>
    </message>
    <message>
        <source>Change time…</source>
        <translation>تغيير الوقت…</translation>
    </message>
    <message>
        <source>Void…</source>
        <translation>إلغاء…</translation>
    </message>
    <message>
        <source>Select a check-in or check-out first.</source>
        <translation>اختر أولاً تسجيل حضور أو انصراف.</translation>
    </message>
    <message>
        <source>That event is voided already.</source>
        <translation>هذا السجل ملغى بالفعل.</translation>
    </message>
    <message>
        <source>Corrections need the admin PIN.</source>
        <translation>تتطلب التصحيحات رمز PIN للمسؤول.</translation>
    </message>
    <message>
        <source>added</source>
        <translation>مضاف</translation>
    </message>
    <message>
        <source>edited (was {time})</source>
        <translation>معدّل (كان {time})</translation>
    </message>
    <message>
        <source>voided</source>
        <translation>ملغى</translation>
    </message>
    <message numerus="yes">
        <source>%n event(s)</source>
        <translation>
            <numerusform>%n حدث</numerusform>
            <numerusform>حدث واحد</numerusform>
            <numerusform>حدثان</numerusform>
            <numerusform>%n أحداث</numerusform>
            <numerusform>%n حدثًا</numerusform>
            <numerusform>%n حدث</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n person-day(s)</source>
        <translation>
            <numerusform>%n يوم شخص</numerusform>
            <numerusform>يوم شخص واحد</numerusform>
            <numerusform>يوما شخص</numerusform>
            <numerusform>%n أيام أشخاص</numerusform>
            <numerusform>%n يوم شخص</numerusform>
            <numerusform>%n يوم شخص</numerusform>
        </translation>
    </message>
    <message>
        <source>{events}, {days}, {unlocks}.</source>
        <translation>{events}، {days}، {unlocks}.</translation>
    </message>
    <message numerus="yes">
        <source>%n unlock(s)</source>
        <translation>
            <numerusform>%n عملية فتح قفل</numerusform>
            <numerusform>عملية فتح قفل واحدة</numerusform>
            <numerusform>عمليتا فتح قفل</numerusform>
            <numerusform>%n عمليات فتح قفل</numerusform>
            <numerusform>%n عملية فتح قفل</numerusform>
            <numerusform>%n عملية فتح قفل</numerusform>
        </translation>
    </message>
    <message>
        <source>{events}, {days}.</source>
        <translation>{events}، {days}.</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n correction(s) to {path}.</source>
        <translation>
            <numerusform>تم التصدير إلى {path}: %n تصحيح.</numerusform>
            <numerusform>تم التصدير إلى {path}: تصحيح واحد.</numerusform>
            <numerusform>تم التصدير إلى {path}: تصحيحان.</numerusform>
            <numerusform>تم التصدير إلى {path}: %n تصحيحات.</numerusform>
            <numerusform>تم التصدير إلى {path}: %n تصحيحًا.</numerusform>
            <numerusform>تم التصدير إلى {path}: %n تصحيح.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n person-day(s) to {path}.</source>
        <translation>
            <numerusform>تم التصدير إلى {path}: %n يوم شخص.</numerusform>
            <numerusform>تم التصدير إلى {path}: يوم شخص واحد.</numerusform>
            <numerusform>تم التصدير إلى {path}: يوما شخص.</numerusform>
            <numerusform>تم التصدير إلى {path}: %n أيام أشخاص.</numerusform>
            <numerusform>تم التصدير إلى {path}: %n يوم شخص.</numerusform>
            <numerusform>تم التصدير إلى {path}: %n يوم شخص.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n unlock(s) to {path}.</source>
        <translation>
            <numerusform>تم التصدير إلى {path}: %n عملية فتح قفل.</numerusform>
            <numerusform>تم التصدير إلى {path}: عملية فتح قفل واحدة.</numerusform>
            <numerusform>تم التصدير إلى {path}: عمليتا فتح قفل.</numerusform>
            <numerusform>تم التصدير إلى {path}: %n عمليات فتح قفل.</numerusform>
            <numerusform>تم التصدير إلى {path}: %n عملية فتح قفل.</numerusform>
            <numerusform>تم التصدير إلى {path}: %n عملية فتح قفل.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n event(s) to {path}.</source>
        <translation>
            <numerusform>تم التصدير إلى {path}: %n حدث.</numerusform>
            <numerusform>تم التصدير إلى {path}: حدث واحد.</numerusform>
            <numerusform>تم التصدير إلى {path}: حدثان.</numerusform>
            <numerusform>تم التصدير إلى {path}: %n أحداث.</numerusform>
            <numerusform>تم التصدير إلى {path}: %n حدثًا.</numerusform>
            <numerusform>تم التصدير إلى {path}: %n حدث.</numerusform>
        </translation>
    </message>
    <message>
        <source>Export</source>
        <translation>تصدير</translation>
    </message>
</context>
<context>
    <name>AuditKind</name>
    <message>
        <source>enrolment</source>
        <translation>تسجيل</translation>
    </message>
    <message>
        <source>deletion</source>
        <translation>حذف</translation>
    </message>
    <message>
        <source>person</source>
        <translation>شخص</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>رمز PIN</translation>
    </message>
    <message>
        <source>refused photo</source>
        <translation>صورة مرفوضة</translation>
    </message>
    <message>
        <source>settings</source>
        <translation>الإعدادات</translation>
    </message>
    <message>
        <source>correction</source>
        <translation>تصحيح</translation>
    </message>
    <message>
        <source>other</source>
        <translation>أخرى</translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <source>All kinds</source>
        <translation>كل الأنواع</translation>
    </message>
    <message>
        <source>Search actor, action, detail</source>
        <translation>ابحث في المنفِّذ والإجراء والتفاصيل</translation>
    </message>
    <message>
        <source>Search the audit log</source>
        <translation>البحث في سجل التدقيق</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>تصدير CSV…</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>النوع</translation>
    </message>
    <message>
        <source>{shown} of {total} entries shown.</source>
        <translation>عُرض {shown} من {total} إدخالًا.</translation>
    </message>
    <message>
        <source>Export audit log</source>
        <translation>تصدير سجل التدقيق</translation>
    </message>
    <message>
        <source>Exported {count} entries to {path}.</source>
        <translation>تم تصدير {count} إدخالًا إلى {path}.</translation>
    </message>
</context>
<context>
    <name>BackupPage</name>
    <message>
        <source>Include the face-data key, sealed under a passphrase</source>
        <translation>تضمين مفتاح بيانات الوجوه مختومًا بعبارة مرور</translation>
    </message>
    <message>
        <source>Back up now</source>
        <translation>نسخ احتياطي الآن</translation>
    </message>
    <message>
        <source>a backup file</source>
        <translation>ملف نسخة احتياطية</translation>
    </message>
    <message>
        <source>Replace the current database (everything since the backup is lost)</source>
        <translation>استبدال قاعدة البيانات الحالية (يضيع كل ما أُضيف بعد النسخة الاحتياطية)</translation>
    </message>
    <message>
        <source>Restore…</source>
        <translation>استعادة…</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>استعراض…</translation>
    </message>
    <message>
        <source>Back up</source>
        <translation>النسخ الاحتياطي</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>الملف:</translation>
    </message>
    <message>
        <source>Passphrase:</source>
        <translation>عبارة المرور:</translation>
    </message>
    <message>
        <source>Passphrase again:</source>
        <translation>أعد عبارة المرور:</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>الاستعادة</translation>
    </message>
    <message>
        <source>Passphrase (if it holds the key):</source>
        <translation>عبارة المرور (إن كانت تحوي المفتاح):</translation>
    </message>
    <message>
        <source>Back up to</source>
        <translation>النسخ الاحتياطي إلى</translation>
    </message>
    <message>
        <source>Restore from</source>
        <translation>الاستعادة من</translation>
    </message>
    <message>
        <source>⚠ Choose the file to write first.</source>
        <translation>⚠ اختر الملف المراد كتابته أولًا.</translation>
    </message>
    <message>
        <source>⚠ Type the same passphrase twice: it seals the key.</source>
        <translation>⚠ اكتب عبارة المرور نفسها مرتين: فهي تختم المفتاح.</translation>
    </message>
    <message>
        <source>Backing up…</source>
        <translation>جارٍ النسخ الاحتياطي…</translation>
    </message>
    <message>
        <source>Wrote {file}. The face-data key is inside, sealed under the passphrase.</source>
        <translation>تمت كتابة {file}. مفتاح بيانات الوجوه بداخله مختومًا بعبارة المرور.</translation>
    </message>
    <message>
        <source>Wrote {file}. The face-data key is not inside: keep {key} safe apart.</source>
        <translation>تمت كتابة {file}. مفتاح بيانات الوجوه ليس بداخله: احفظ {key} في مكان آمن منفصل.</translation>
    </message>
    <message>
        <source>⚠ Choose the backup file first.</source>
        <translation>⚠ اختر ملف النسخة الاحتياطية أولًا.</translation>
    </message>
    <message>
        <source>⚠ Restoring replaces the current database: tick the box to confirm.</source>
        <translation>⚠ الاستعادة تستبدل قاعدة البيانات الحالية: حدِّد المربع للتأكيد.</translation>
    </message>
    <message>
        <source>Restoring…</source>
        <translation>جارٍ الاستعادة…</translation>
    </message>
    <message>
        <source>Restored the backup of {created} (schema {schema}, migrated from {old}).</source>
        <translation>تمت استعادة النسخة الاحتياطية من {created} (المخطط {schema}، مُرحَّل من {old}).</translation>
    </message>
    <message>
        <source>Restored the backup of {created} (schema {schema}).</source>
        <translation>تمت استعادة النسخة الاحتياطية من {created} (المخطط {schema}).</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <source>Done</source>
        <translation>تم</translation>
    </message>
    <message>
        <source>Notice</source>
        <translation>تنبيه</translation>
    </message>
    <message>
        <source>Hint</source>
        <translation>إرشاد</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>مرفوض</translation>
    </message>
    <message>
        <source>Please do this</source>
        <translation>يرجى القيام بذلك</translation>
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
        <translation>المستخدم الآن: العتبة المعايَرة {threshold} (تحل محل عتبة درجة الصرامة)؛ الحد الأدنى الآمن للنموذج {floor}.</translation>
    </message>
    <message>
        <source>In use now: the {strictness} threshold {threshold}; the model&apos;s secure floor is {floor}.</source>
        <translation>المستخدم الآن: عتبة «{strictness}» {threshold}؛ الحد الأدنى الآمن للنموذج {floor}.</translation>
    </message>
    <message>
        <source>Calibrate liveness</source>
        <translation>معايرة كشف الحيوية</translation>
    </message>
    <message>
        <source>Have live people stand in front of the camera, one at a time, facing it and moving a little, in the light the kiosk works in. No photos or screens in view. The proposal refuses at most 1 % of their frames, but never goes below the model&apos;s secure floor.</source>
        <translation>اطلب من أشخاص حقيقيين الوقوف أمام الكاميرا واحدًا تلو الآخر، مواجهين لها مع حركة خفيفة، في الإضاءة التي يعمل فيها الجهاز. بلا صور أو شاشات في المشهد. يرفض الاقتراح 1 % من إطاراتهم على الأكثر، لكنه لا ينزل أبدًا عن الحد الأدنى الآمن للنموذج.</translation>
    </message>
    <message>
        <source> s</source>
        <translation> ث</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>بدء</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>تطبيق</translation>
    </message>
    <message>
        <source>Use the strictness&apos;s threshold</source>
        <translation>استخدام عتبة درجة الصرامة</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>إلغاء</translation>
    </message>
    <message>
        <source>Record for:</source>
        <translation>التسجيل لمدة:</translation>
    </message>
    <message>
        <source>Recording…</source>
        <translation>جارٍ التسجيل…</translation>
    </message>
    <message>
        <source>{frames} frames, {judged} with a face judged</source>
        <translation>{frames} إطارًا، منها {judged} بوجه تم الحكم عليه</translation>
    </message>
    <message>
        <source>⚠ {problem}. Nothing was changed.</source>
        <translation>⚠ {problem}. لم يتغير شيء.</translation>
    </message>
    <message>
        <source>Apply saves this threshold for every kiosk of the site.</source>
        <translation>يحفظ «تطبيق» هذه العتبة لكل أجهزة الموقع.</translation>
    </message>
    <message>
        <source>The kiosk uses the strictness&apos;s threshold again.</source>
        <translation>يعود الجهاز إلى استخدام عتبة درجة الصرامة.</translation>
    </message>
</context>
<context>
    <name>Calibration</name>
    <message>
        <source>no face seen: stand in front of the camera, one person at a time, and calibrate again</source>
        <translation>لم يُرَ أي وجه: قف أمام الكاميرا، شخصًا واحدًا في كل مرة، ثم أعد المعايرة</translation>
    </message>
    <message>
        <source>{frames} frames: {judged} with a face judged, {no_face} without a face, {too_small} with a face too small to judge</source>
        <translation>{frames} إطارًا: {judged} بوجه مُقيَّم، و{no_face} بلا وجه، و{too_small} بوجه أصغر من أن يُقيَّم</translation>
    </message>
    <message>
        <source>proposed liveness threshold {threshold}: refuses {refused} of these {judged} live frames ({share} %)</source>
        <translation>عتبة الحيوية المقترحة {threshold}: ترفض {refused} من هذه الإطارات الحية البالغة {judged} ({share} %)</translation>
    </message>
    <message>
        <source>the secure floor wins: refusing only {share} % of these frames needs a threshold under the model&apos;s secure floor {floor}, which would let photos and screens through; better light or a closer camera lowers the share refused</source>
        <translation>الحد الأدنى الآمن هو الغالب: رفض {share} % فقط من هذه الإطارات يتطلب عتبة أدنى من الحد الأدنى الآمن للنموذج {floor}، وهذا يسمح بمرور الصور والشاشات؛ إضاءة أفضل أو كاميرا أقرب تخفض نسبة المرفوض</translation>
    </message>
    <message>
        <source>the camera gave no frames</source>
        <translation>لم تُعطِ الكاميرا أي إطارات</translation>
    </message>
    <message>
        <source>only {judged} frames held a face close enough to judge ({needed} needed): stand closer to the camera, and calibrate for longer</source>
        <translation>{judged} إطارًا فقط احتوت وجهًا قريبًا بما يكفي لتقييمه (المطلوب {needed}): اقترب من الكاميرا، وعاير لمدة أطول</translation>
    </message>
    <message>
        <source>the face did not change from frame to frame: this is a still picture fed in as a camera, not live people; calibrate on the real camera</source>
        <translation>لم يتغير الوجه من إطار إلى آخر: هذه صورة ثابتة مُدخلة ككاميرا، لا أشخاص حقيقيون؛ عاير على الكاميرا الحقيقية</translation>
    </message>
    <message>
        <source>{attacks} of {judged} faces scored like a photo or screen (under {level}): calibrate with live people only, no photos or screens in view</source>
        <translation>{attacks} من {judged} وجهًا سجّلت درجة كصورة أو شاشة (أقل من {level}): عاير بأشخاص حقيقيين فقط، بلا صور أو شاشات في المشهد</translation>
    </message>
</context>
<context>
    <name>CorrectionDialog</name>
    <message>
        <source>Add a missed event</source>
        <translation>إضافة سجل فائت</translation>
    </message>
    <message>
        <source>Change an event&apos;s time</source>
        <translation>تغيير وقت سجل</translation>
    </message>
    <message>
        <source>Void an event</source>
        <translation>إلغاء سجل</translation>
    </message>
    <message>
        <source>Why the record is wrong</source>
        <translation>سبب خطأ السجل</translation>
    </message>
    <message>
        <source>{kind} of {name} at {time}</source>
        <translation>{kind} لـ {name} في {time}</translation>
    </message>
    <message>
        <source>Event:</source>
        <translation>السجل:</translation>
    </message>
    <message>
        <source>Person:</source>
        <translation>الشخص:</translation>
    </message>
    <message>
        <source>Time:</source>
        <translation>الوقت:</translation>
    </message>
    <message>
        <source>New time:</source>
        <translation>الوقت الجديد:</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>السبب:</translation>
    </message>
    <message>
        <source>Give a reason: it is kept with the correction.</source>
        <translation>اذكر سببًا: سيُحفظ مع التصحيح.</translation>
    </message>
    <message>
        <source>Choose the person.</source>
        <translation>اختر الشخص.</translation>
    </message>
</context>
<context>
    <name>DateRange</name>
    <message>
        <source>From</source>
        <translation>من</translation>
    </message>
    <message>
        <source>to</source>
        <translation>إلى</translation>
    </message>
</context>
<context>
    <name>DirectionBar</name>
    <message>
        <source>In</source>
        <translation>دخول</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>خروج</translation>
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
        <translation>لا توجد صورة من الكاميرا: تحقق من توصيل الكاميرا واختيارها في الإعدادات، ثم أعد المحاولة.</translation>
    </message>
    <message>
        <source>Capture takes 5 to 10 good frames; follow the prompts.</source>
        <translation>يحتاج الالتقاط إلى 5 إلى 10 إطارات جيدة؛ اتبع التعليمات.</translation>
    </message>
    <message>
        <source>Full name (an existing name adds to that person)</source>
        <translation>الاسم الكامل (الاسم الموجود يُضاف إلى ذلك الشخص)</translation>
    </message>
    <message>
        <source>optional, e.g. staff or admin</source>
        <translation>اختياري، مثلًا staff أو admin</translation>
    </message>
    <message>
        <source>optional, e.g. employee number</source>
        <translation>اختياري، مثلًا الرقم الوظيفي</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>الاسم:</translation>
    </message>
    <message>
        <source>Group:</source>
        <translation>المجموعة:</translation>
    </message>
    <message>
        <source>External id:</source>
        <translation>المعرّف الخارجي:</translation>
    </message>
    <message>
        <source>Add photos…</source>
        <translation>إضافة صور…</translation>
    </message>
    <message>
        <source>From photos (or drop image files here)</source>
        <translation>من الصور (أو أفلت ملفات الصور هنا)</translation>
    </message>
    <message>
        <source>Start camera capture</source>
        <translation>بدء الالتقاط بالكاميرا</translation>
    </message>
    <message>
        <source>From the camera</source>
        <translation>من الكاميرا</translation>
    </message>
    <message>
        <source>Refuse these photos</source>
        <translation>رفض هذه الصور</translation>
    </message>
    <message>
        <source>Enrol</source>
        <translation>تسجيل</translation>
    </message>
    <message>
        <source>Photos of the person</source>
        <translation>صور الشخص</translation>
    </message>
    <message>
        <source>Images ({patterns})</source>
        <translation>الصور ({patterns})</translation>
    </message>
    <message numerus="yes">
        <source>Checking %n photo(s)…</source>
        <translation>
            <numerusform>جارٍ الفحص: %n صورة…</numerusform>
            <numerusform>جارٍ الفحص: صورة واحدة…</numerusform>
            <numerusform>جارٍ الفحص: صورتان…</numerusform>
            <numerusform>جارٍ الفحص: %n صور…</numerusform>
            <numerusform>جارٍ الفحص: %n صورة…</numerusform>
            <numerusform>جارٍ الفحص: %n صورة…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{usable} of %n photo(s) usable.</source>
        <translation>
            <numerusform>%n صورة؛ الصالح منها للاستخدام: {usable}.</numerusform>
            <numerusform>صورة واحدة؛ الصالح منها للاستخدام: {usable}.</numerusform>
            <numerusform>صورتان؛ الصالح منها للاستخدام: {usable}.</numerusform>
            <numerusform>%n صور؛ الصالح منها للاستخدام: {usable}.</numerusform>
            <numerusform>%n صورة؛ الصالح منها للاستخدام: {usable}.</numerusform>
            <numerusform>%n صورة؛ الصالح منها للاستخدام: {usable}.</numerusform>
        </translation>
    </message>
    <message>
        <source>cannot be read: {detail}</source>
        <translation>تتعذر قراءتها: {detail}</translation>
    </message>
    <message numerus="yes">
        <source>%n camera sample(s) ready.</source>
        <translation>
            <numerusform>الجاهز: %n عينة كاميرا.</numerusform>
            <numerusform>الجاهز: عينة كاميرا واحدة.</numerusform>
            <numerusform>الجاهز: عينتا كاميرا.</numerusform>
            <numerusform>الجاهز: %n عينات كاميرا.</numerusform>
            <numerusform>الجاهز: %n عينة كاميرا.</numerusform>
            <numerusform>الجاهز: %n عينة كاميرا.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Refused %n photo(s).</source>
        <translation>
            <numerusform>المرفوض: %n صورة.</numerusform>
            <numerusform>المرفوض: صورة واحدة.</numerusform>
            <numerusform>المرفوض: صورتان.</numerusform>
            <numerusform>المرفوض: %n صور.</numerusform>
            <numerusform>المرفوض: %n صورة.</numerusform>
            <numerusform>المرفوض: %n صورة.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Enrolled {name}: %n template(s) stored.</source>
        <translation>
            <numerusform>تم تسجيل {name}: حُفظ %n قالب.</numerusform>
            <numerusform>تم تسجيل {name}: حُفظ قالب واحد.</numerusform>
            <numerusform>تم تسجيل {name}: حُفظ قالبان.</numerusform>
            <numerusform>تم تسجيل {name}: حُفظ %n قوالب.</numerusform>
            <numerusform>تم تسجيل {name}: حُفظ %n قالبًا.</numerusform>
            <numerusform>تم تسجيل {name}: حُفظ %n قالب.</numerusform>
        </translation>
    </message>
    <message>
        <source>Stop capture</source>
        <translation>إيقاف الالتقاط</translation>
    </message>
    <message>
        <source>Type the person&apos;s name first.</source>
        <translation>اكتب اسم الشخص أولًا.</translation>
    </message>
    <message>
        <source>⚠ {problem}. Refuse them, or enrol anyway only if they are {name}.</source>
        <translation>⚠ {problem}. ارفضها، أو سجّلها على أي حال فقط إذا كانت لـ {name}.</translation>
    </message>
    <message>
        <source>Enrol anyway</source>
        <translation>التسجيل على أي حال</translation>
    </message>
    <message>
        <source>These photos:</source>
        <translation>هذه الصور:</translation>
    </message>
    <message>
        <source>{name} as enrolled:</source>
        <translation>{name} كما سُجّل:</translation>
    </message>
    <message>
        <source>{name}, already enrolled:</source>
        <translation>{name}، مسجَّل مسبقًا:</translation>
    </message>
    <message>
        <source>✗ {photo} — refused: not the same person</source>
        <translation>✗ {photo} — مرفوضة: ليس الشخص نفسه</translation>
    </message>
</context>
<context>
    <name>Enrolment</name>
    <message>
        <source>{photo} does not match {name}&apos;s templates (similarity {similarity}, need {need})</source>
        <translation>{photo} لا تطابق قوالب {name} (التشابه {similarity}، المطلوب {need})</translation>
    </message>
    <message>
        <source>{photo} does not match the other photos (similarity {similarity}, need {need})</source>
        <translation>{photo} لا تطابق الصور الأخرى (التشابه {similarity}، المطلوب {need})</translation>
    </message>
    <message>
        <source>face {number}</source>
        <translation>الوجه {number}</translation>
    </message>
    <message>
        <source>these faces already match {name} (#{id}, {similarity})</source>
        <translation>هذه الوجوه تطابق بالفعل {name} (#{id}، {similarity})</translation>
    </message>
    <message>
        <source>look straight at the camera</source>
        <translation>انظر مباشرة إلى الكاميرا</translation>
    </message>
    <message>
        <source>turn your head a little to the left</source>
        <translation>أدر رأسك قليلًا إلى اليسار</translation>
    </message>
    <message>
        <source>turn your head a little to the right</source>
        <translation>أدر رأسك قليلًا إلى اليمين</translation>
    </message>
    <message>
        <source>tilt your chin up a little</source>
        <translation>ارفع ذقنك قليلًا</translation>
    </message>
    <message>
        <source>tilt your chin down a little</source>
        <translation>اخفض ذقنك قليلًا</translation>
    </message>
    <message>
        <source>done</source>
        <translation>تم</translation>
    </message>
    <message>
        <source>now {prompt}</source>
        <translation>الآن: {prompt}</translation>
    </message>
    <message>
        <source>got it; now {prompt}</source>
        <translation>تم الالتقاط؛ الآن: {prompt}</translation>
    </message>
    <message>
        <source>no face found: face the camera in good light</source>
        <translation>لم يُعثر على وجه: واجه الكاميرا في إضاءة جيدة</translation>
    </message>
    <message>
        <source>more than one face: only the person being enrolled should be in the picture</source>
        <translation>أكثر من وجه: يجب أن يظهر في الصورة الشخص الذي يجري تسجيله فقط</translation>
    </message>
    <message>
        <source>face too small ({size} px, need {need}): come closer</source>
        <translation>الوجه صغير جدًا ({size} بكسل، المطلوب {need}): اقترب أكثر</translation>
    </message>
    <message>
        <source>head tilted {degrees}°: keep your eyes level</source>
        <translation>الرأس مائل {degrees}°: أبقِ عينيك في مستوى واحد</translation>
    </message>
    <message>
        <source>face turned away: look straight at the camera</source>
        <translation>الوجه ملتفت بعيدًا: انظر مباشرة إلى الكاميرا</translation>
    </message>
    <message>
        <source>too dark: add light in front of the face</source>
        <translation>مظلم جدًا: أضف إضاءة أمام الوجه</translation>
    </message>
    <message>
        <source>too bright: avoid direct light or glare on the face</source>
        <translation>ساطع جدًا: تجنّب الضوء المباشر أو الوهج على الوجه</translation>
    </message>
    <message>
        <source>blurred: hold still (or use a sharper photo)</source>
        <translation>ضبابية: اثبت في مكانك (أو استخدم صورة أوضح)</translation>
    </message>
</context>
<context>
    <name>EventKind</name>
    <message>
        <source>check-in</source>
        <translation>تسجيل الحضور</translation>
    </message>
    <message>
        <source>check-out</source>
        <translation>تسجيل الانصراف</translation>
    </message>
    <message>
        <source>unlock</source>
        <translation>فتح القفل</translation>
    </message>
    <message>
        <source>attack</source>
        <translation>هجوم</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Export people</source>
        <translation>تصدير الأشخاص</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>استعراض…</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>تصدير</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>الملف:</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>التنسيق:</translation>
    </message>
    <message>
        <source>⚠ Choose a file first.</source>
        <translation>⚠ اختر ملفًا أولًا.</translation>
    </message>
    <message>
        <source>Wrote 1 person to {path}.</source>
        <translation>تمت كتابة شخص واحد في {path}.</translation>
    </message>
    <message>
        <source>Wrote {count} people to {path}.</source>
        <translation>تمت كتابة {count} من الأشخاص في {path}.</translation>
    </message>
</context>
<context>
    <name>FrameWorker</name>
    <message>
        <source>{problem}; retrying in {seconds} s</source>
        <translation>{problem}؛ إعادة المحاولة بعد {seconds} ث</translation>
    </message>
    <message>
        <source>unexpected error: {error}</source>
        <translation>خطأ غير متوقع: {error}</translation>
    </message>
</context>
<context>
    <name>HistogramView</name>
    <message>
        <source>green: live scores on this camera</source>
        <translation>الأخضر: درجات الأشخاص الحقيقيين على هذه الكاميرا</translation>
    </message>
    <message>
        <source>red: attacks (shipped with the model)</source>
        <translation>الأحمر: الهجمات (مرفقة بالنموذج)</translation>
    </message>
    <message>
        <source>(the model ships no attack scores)</source>
        <translation>(لا يرفق النموذج درجات هجمات)</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <source>Import people</source>
        <translation>استيراد الأشخاص</translation>
    </message>
    <message>
        <source>people.csv: columns name, photo (a;b), group, external_id</source>
        <translation>people.csv: الأعمدة name، photo (a;b)، group، external_id</translation>
    </message>
    <message>
        <source>the folder photo names are relative to (default: the CSV&apos;s)</source>
        <translation>المجلد الذي تُنسب إليه أسماء الصور (الافتراضي: مجلد ملف CSV)</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>استعراض…</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>فحص</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>استيراد</translation>
    </message>
    <message>
        <source>CSV file:</source>
        <translation>ملف CSV:</translation>
    </message>
    <message>
        <source>Photo folder:</source>
        <translation>مجلد الصور:</translation>
    </message>
    <message>
        <source>People CSV</source>
        <translation>ملف CSV للأشخاص</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>ملفات CSV (*.csv);;كل الملفات (*)</translation>
    </message>
    <message>
        <source>Photo folder</source>
        <translation>مجلد الصور</translation>
    </message>
    <message>
        <source>Checking every row (nothing is stored yet)…</source>
        <translation>جارٍ فحص كل صف (لم يُحفظ شيء بعد)…</translation>
    </message>
    <message>
        <source>All {count} rows can be enrolled: press Import.</source>
        <translation>يمكن تسجيل كل الصفوف ({count}): اضغط «استيراد».</translation>
    </message>
    <message>
        <source>Enrolling {count} people…</source>
        <translation>جارٍ تسجيل {count} من الأشخاص…</translation>
    </message>
    <message>
        <source>Imported {count} people.</source>
        <translation>تم استيراد {count} من الأشخاص.</translation>
    </message>
</context>
<context>
    <name>Kiosk</name>
    <message>
        <source>press In or Out (keys I / O), then look at the camera</source>
        <translation>اضغط دخول أو خروج (المفتاحان I / O)، ثم انظر إلى الكاميرا</translation>
    </message>
    <message>
        <source>not unlocked: please step out of view, then come back to try again</source>
        <translation>لم يُفتح القفل: يُرجى الخروج من مجال الرؤية ثم العودة للمحاولة مجددًا</translation>
    </message>
    <message>
        <source>not unlocked: no head turn in time; please try again</source>
        <translation>لم يُفتح القفل: لم يُدر الرأس في الوقت المحدد؛ يُرجى المحاولة مجددًا</translation>
    </message>
    <message>
        <source>not unlocked: the head turned the other way; please try again</source>
        <translation>لم يُفتح القفل: استدار الرأس في الاتجاه الآخر؛ يُرجى المحاولة مجددًا</translation>
    </message>
    <message>
        <source>not unlocked: a photo or screen cannot unlock; please try again</source>
        <translation>لم يُفتح القفل: لا يمكن لصورة أو شاشة فتح القفل؛ يُرجى المحاولة مجددًا</translation>
    </message>
    <message>
        <source>{name} — already checked in at {time}</source>
        <translation>{name} — سُجّل دخوله بالفعل في {time}</translation>
    </message>
    <message>
        <source>{name} — already checked out at {time}</source>
        <translation>{name} — سُجّل خروجه بالفعل في {time}</translation>
    </message>
    <message>
        <source>Turn your head to your left</source>
        <translation>أدر رأسك إلى يسارك</translation>
    </message>
    <message>
        <source>Turn your head to your right</source>
        <translation>أدر رأسك إلى يمينك</translation>
    </message>
    <message>
        <source>photo or screen not accepted — please look at the camera yourself</source>
        <translation>لا تُقبل الصور أو الشاشات — يُرجى النظر إلى الكاميرا بنفسك</translation>
    </message>
    <message>
        <source>please come closer to the camera</source>
        <translation>يُرجى الاقتراب من الكاميرا</translation>
    </message>
    <message>
        <source>grayscale image: liveness needs colour, so use a colour camera (or turn liveness off in Settings)</source>
        <translation>صورة رمادية: يحتاج كشف الحيوية إلى الألوان، فاستخدم كاميرا ملوّنة (أو أوقف كشف الحيوية من الإعدادات)</translation>
    </message>
</context>
<context>
    <name>KioskView</name>
    <message>
        <source>Not recognised — look at the camera, or ask an administrator to enrol you</source>
        <translation>لم يتم التعرّف عليك — انظر إلى الكاميرا، أو اطلب من المسؤول تسجيلك</translation>
    </message>
    <message>
        <source>photo or screen</source>
        <translation>صورة أو شاشة</translation>
    </message>
    <message>
        <source>not recognised</source>
        <translation>غير معروف</translation>
    </message>
    <message>
        <source>Welcome, {name} — checked in at {time}</source>
        <translation>أهلًا {name} — سُجّل الدخول في {time}</translation>
    </message>
    <message>
        <source>Goodbye, {name} — checked out at {time}</source>
        <translation>مع السلامة {name} — سُجّل الخروج في {time}</translation>
    </message>
</context>
<context>
    <name>Language</name>
    <message>
        <source>The computer&apos;s language</source>
        <translation>لغة الحاسوب</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Check that the camera is plugged in and switched on, and that no other program is using it. FaceGate keeps trying by itself; an administrator can choose another camera in Admin → Settings.</source>
        <translation>تحقّق من أن الكاميرا موصولة ومشغّلة وأن أي برنامج آخر لا يستخدمها. يواصل FaceGate المحاولة تلقائيًا؛ ويمكن للمسؤول اختيار كاميرا أخرى من الإدارة ← الإعدادات.</translation>
    </message>
    <message>
        <source>The video has ended: no more frames to check. Restart FaceGate, or choose a camera in Admin → Settings.</source>
        <translation>انتهى الفيديو: لا مزيد من الإطارات للفحص. أعد تشغيل FaceGate، أو اختر كاميرا من الإدارة ← الإعدادات.</translation>
    </message>
    <message>
        <source>camera {number}</source>
        <translation>الكاميرا {number}</translation>
    </message>
    <message>
        <source>stream {url}</source>
        <translation>البث {url}</translation>
    </message>
    <message>
        <source>folder “{name}”</source>
        <translation>المجلد «{name}»</translation>
    </message>
    <message>
        <source>video “{name}”</source>
        <translation>الفيديو «{name}»</translation>
    </message>
    <message>
        <source>Screens</source>
        <translation>الشاشات</translation>
    </message>
    <message>
        <source>Check-in</source>
        <translation>تسجيل الحضور</translation>
    </message>
    <message>
        <source>Unlock…</source>
        <translation>فتح القفل…</translation>
    </message>
    <message>
        <source>Admin…</source>
        <translation>الإدارة…</translation>
    </message>
    <message>
        <source>Kiosk mode (full screen)</source>
        <translation>وضع الكشك (ملء الشاشة)</translation>
    </message>
    <message>
        <source>Staff: screens, admin and leaving kiosk mode (admin PIN)</source>
        <translation>للموظفين: الشاشات والإدارة والخروج من وضع الكشك (رمز PIN للمسؤول)</translation>
    </message>
    <message>
        <source>Leave kiosk mode…</source>
        <translation>الخروج من وضع الكشك…</translation>
    </message>
    <message>
        <source>Leaving the armed Unlock screen needs the admin PIN.</source>
        <translation>يتطلب الخروج من شاشة فتح القفل المفعّلة رمز PIN للمسؤول.</translation>
    </message>
    <message>
        <source>The Unlock screen stops check-ins: it needs the admin PIN.</source>
        <translation>توقف شاشة فتح القفل تسجيل الحضور: تتطلب رمز PIN للمسؤول.</translation>
    </message>
    <message>
        <source>Leaving kiosk mode needs the admin PIN.</source>
        <translation>يتطلب الخروج من وضع الكشك رمز PIN للمسؤول.</translation>
    </message>
    <message numerus="yes">
        <source>offline: %n event(s) waiting</source>
        <translation>
            <numerusform>غير متصل: لا أحداث في الانتظار</numerusform>
            <numerusform>غير متصل: حدث واحد في الانتظار</numerusform>
            <numerusform>غير متصل: حدثان في الانتظار</numerusform>
            <numerusform>غير متصل: %n أحداث في الانتظار</numerusform>
            <numerusform>غير متصل: %n حدثًا في الانتظار</numerusform>
            <numerusform>غير متصل: %n حدث في الانتظار</numerusform>
        </translation>
    </message>
    <message>
        <source>{fps} fps</source>
        <translation>{fps} إطار/ث</translation>
    </message>
    <message>
        <source>The camera is not working.

{problem}

{advice}</source>
        <translation>الكاميرا لا تعمل.

{problem}

{advice}</translation>
    </message>
    <message>
        <source>{source}: no more frames</source>
        <translation>{source}: لا مزيد من الإطارات</translation>
    </message>
    <message>
        <source>camera not working</source>
        <translation>الكاميرا لا تعمل</translation>
    </message>
    <message>
        <source>recognition or database problem (see Admin → System)</source>
        <translation>مشكلة في التعرّف أو في قاعدة البيانات (انظر الإدارة ← النظام)</translation>
    </message>
    <message>
        <source>camera and recognition working</source>
        <translation>الكاميرا والتعرّف يعملان</translation>
    </message>
</context>
<context>
    <name>PeopleFilters</name>
    <message>
        <source>Everyone</source>
        <translation>الجميع</translation>
    </message>
    <message>
        <source>All groups</source>
        <translation>كل المجموعات</translation>
    </message>
</context>
<context>
    <name>PeoplePage</name>
    <message>
        <source>{count} · ⚠ made by a model not in use</source>
        <translation>{count} · ⚠ أنشأها نموذج غير مستخدم</translation>
    </message>
    <message>
        <source>never</source>
        <translation>أبدًا</translation>
    </message>
    <message>
        <source>active</source>
        <translation>نشط</translation>
    </message>
    <message>
        <source>deactivated</source>
        <translation>معطَّل</translation>
    </message>
    <message>
        <source>Show deactivated</source>
        <translation>إظهار المعطَّلين</translation>
    </message>
    <message>
        <source>Search name, external id or group</source>
        <translation>ابحث بالاسم أو المعرّف الخارجي أو المجموعة</translation>
    </message>
    <message>
        <source>Search people</source>
        <translation>البحث عن الأشخاص</translation>
    </message>
    <message>
        <source>Make missing templates</source>
        <translation>إنشاء القوالب الناقصة</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>تحرير…</translation>
    </message>
    <message>
        <source>Deactivate / reactivate</source>
        <translation>تعطيل / إعادة تفعيل</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>حذف…</translation>
    </message>
    <message>
        <source>Re-enrol…</source>
        <translation>إعادة التسجيل…</translation>
    </message>
    <message>
        <source>Templates…</source>
        <translation>القوالب…</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>استيراد…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>تصدير…</translation>
    </message>
    <message numerus="yes">
        <source>%n template(s) were made by a model not in use.</source>
        <translation>
            <numerusform>من إنشاء نموذج غير مستخدم: %n قالب.</numerusform>
            <numerusform>من إنشاء نموذج غير مستخدم: قالب واحد.</numerusform>
            <numerusform>من إنشاء نموذج غير مستخدم: قالبان.</numerusform>
            <numerusform>من إنشاء نموذج غير مستخدم: %n قوالب.</numerusform>
            <numerusform>من إنشاء نموذج غير مستخدم: %n قالبًا.</numerusform>
            <numerusform>من إنشاء نموذج غير مستخدم: %n قالب.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n kept face(s) lack a template of a model in use: make them from their crops.</source>
        <translation>
            <numerusform>وجوه محفوظة بلا قالب لنموذج مستخدم: %n وجه؛ أنشئ قوالبها من مقاطعها.</numerusform>
            <numerusform>وجوه محفوظة بلا قالب لنموذج مستخدم: وجه واحد؛ أنشئ قوالبها من مقاطعها.</numerusform>
            <numerusform>وجوه محفوظة بلا قالب لنموذج مستخدم: وجهان؛ أنشئ قوالبها من مقاطعها.</numerusform>
            <numerusform>وجوه محفوظة بلا قالب لنموذج مستخدم: %n وجوه؛ أنشئ قوالبها من مقاطعها.</numerusform>
            <numerusform>وجوه محفوظة بلا قالب لنموذج مستخدم: %n وجهًا؛ أنشئ قوالبها من مقاطعها.</numerusform>
            <numerusform>وجوه محفوظة بلا قالب لنموذج مستخدم: %n وجه؛ أنشئ قوالبها من مقاطعها.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Made %n template(s) from kept crops; enrol again (no kept crop): {names}.</source>
        <translation>
            <numerusform>أُنشئ من المقاطع المحفوظة: %n قالب؛ أعد التسجيل (لا مقطع محفوظ): {names}.</numerusform>
            <numerusform>أُنشئ من المقاطع المحفوظة: قالب واحد؛ أعد التسجيل (لا مقطع محفوظ): {names}.</numerusform>
            <numerusform>أُنشئ من المقاطع المحفوظة: قالبان؛ أعد التسجيل (لا مقطع محفوظ): {names}.</numerusform>
            <numerusform>أُنشئ من المقاطع المحفوظة: %n قوالب؛ أعد التسجيل (لا مقطع محفوظ): {names}.</numerusform>
            <numerusform>أُنشئ من المقاطع المحفوظة: %n قالبًا؛ أعد التسجيل (لا مقطع محفوظ): {names}.</numerusform>
            <numerusform>أُنشئ من المقاطع المحفوظة: %n قالب؛ أعد التسجيل (لا مقطع محفوظ): {names}.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Made %n template(s) from kept crops.</source>
        <translation>
            <numerusform>أُنشئ من المقاطع المحفوظة: %n قالب.</numerusform>
            <numerusform>أُنشئ من المقاطع المحفوظة: قالب واحد.</numerusform>
            <numerusform>أُنشئ من المقاطع المحفوظة: قالبان.</numerusform>
            <numerusform>أُنشئ من المقاطع المحفوظة: %n قوالب.</numerusform>
            <numerusform>أُنشئ من المقاطع المحفوظة: %n قالبًا.</numerusform>
            <numerusform>أُنشئ من المقاطع المحفوظة: %n قالب.</numerusform>
        </translation>
    </message>
    <message>
        <source>Enrol again (no kept crop): {names}.</source>
        <translation>أعد التسجيل (لا مقطع محفوظ): {names}.</translation>
    </message>
    <message>
        <source>Select a person first.</source>
        <translation>اختر شخصًا أولًا.</translation>
    </message>
    <message>
        <source>Saved {name}.</source>
        <translation>تم حفظ {name}.</translation>
    </message>
    <message>
        <source>{name} is no longer recognised.</source>
        <translation>لم يعد {name} يُتعرَّف عليه.</translation>
    </message>
    <message>
        <source>{name} is recognised again.</source>
        <translation>يُتعرَّف على {name} مجددًا.</translation>
    </message>
    <message>
        <source>Delete person</source>
        <translation>حذف الشخص</translation>
    </message>
    <message>
        <source>Delete {name} with their face templates and all their attendance records?
This cannot be undone; deactivate instead to keep the history.</source>
        <translation>حذف {name} مع قوالب وجهه وكل سجلات حضوره؟
لا يمكن التراجع عن ذلك؛ عطِّله بدلًا من ذلك للاحتفاظ بالسجل.</translation>
    </message>
    <message>
        <source>Deleted {name}.</source>
        <translation>تم حذف {name}.</translation>
    </message>
    <message>
        <source>Making templates from the kept face crops…</source>
        <translation>جارٍ إنشاء القوالب من مقاطع الوجوه المحفوظة…</translation>
    </message>
</context>
<context>
    <name>PersonDialog</name>
    <message>
        <source>Edit {name}</source>
        <translation>تحرير {name}</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>الاسم:</translation>
    </message>
    <message>
        <source>External id:</source>
        <translation>المعرّف الخارجي:</translation>
    </message>
    <message>
        <source>Group:</source>
        <translation>المجموعة:</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <source>Choose the admin PIN</source>
        <translation>اختيار رمز PIN للمسؤول</translation>
    </message>
    <message>
        <source>Admin PIN</source>
        <translation>رمز PIN للمسؤول</translation>
    </message>
    <message>
        <source>Choose a PIN of at least {digits} digits to protect the admin area.</source>
        <translation>اختر رمز PIN من {digits} أرقام على الأقل لحماية منطقة الإدارة.</translation>
    </message>
    <message>
        <source>PIN:</source>
        <translation>رمز PIN:</translation>
    </message>
    <message>
        <source>Repeat:</source>
        <translation>التكرار:</translation>
    </message>
    <message>
        <source>The two PINs differ.</source>
        <translation>رمزا PIN مختلفان.</translation>
    </message>
</context>
<context>
    <name>Problem</name>
    <message>
        <source>⚠ This did not work: {detail}</source>
        <translation>⚠ لم تنجح هذه العملية: {detail}</translation>
    </message>
</context>
<context>
    <name>RecordTable</name>
    <message>
        <source>yes</source>
        <translation>نعم</translation>
    </message>
    <message>
        <source>no</source>
        <translation>لا</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>الشخص</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>المجموعة</translation>
    </message>
    <message>
        <source>Days present</source>
        <translation>أيام الحضور</translation>
    </message>
    <message>
        <source>Hours</source>
        <translation>الساعات</translation>
    </message>
    <message>
        <source>No check-out</source>
        <translation>بلا انصراف</translation>
    </message>
    <message>
        <source>Late</source>
        <translation>التأخر</translation>
    </message>
    <message>
        <source>Absent</source>
        <translation>الغياب</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>التاريخ</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>اليوم</translation>
    </message>
    <message>
        <source>Working day</source>
        <translation>يوم عمل</translation>
    </message>
    <message>
        <source>Present</source>
        <translation>الحاضرون</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>مَن</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>الاسم</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>الأحداث</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>الطريقة</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>الهدف</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>قيد الانتظار</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>الوقت</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>الحدث</translation>
    </message>
    <message>
        <source>Similarity</source>
        <translation>التشابه</translation>
    </message>
    <message>
        <source>Kiosk</source>
        <translation>الجهاز</translation>
    </message>
    <message>
        <source>Correction</source>
        <translation>التصحيح</translation>
    </message>
    <message>
        <source>First in</source>
        <translation>أول حضور</translation>
    </message>
    <message>
        <source>Last out</source>
        <translation>آخر انصراف</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>النوع</translation>
    </message>
    <message>
        <source>Actor</source>
        <translation>المنفِّذ</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>الإجراء</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>التفاصيل</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>المعرّف</translation>
    </message>
    <message>
        <source>External id</source>
        <translation>المعرّف الخارجي</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>الحالة</translation>
    </message>
    <message>
        <source>Templates</source>
        <translation>القوالب</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>آخر ظهور</translation>
    </message>
    <message>
        <source>In since</source>
        <translation>حاضر منذ</translation>
    </message>
    <message>
        <source>Mon</source>
        <translation>الاثنين</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>الثلاثاء</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>الأربعاء</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>الخميس</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>الجمعة</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>السبت</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>الأحد</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <source>A day without a check-out counts 0 hours and is listed under &apos;no check-out&apos;.</source>
        <translation>اليوم بلا تسجيل انصراف يُحسب 0 ساعة ويُدرج تحت «بلا انصراف».</translation>
    </message>
    <message>
        <source>Arrivals by time of day</source>
        <translation>الوصول حسب وقت اليوم</translation>
    </message>
    <message>
        <source>people-days</source>
        <translation>أيام الأشخاص</translation>
    </message>
    <message>
        <source>no check-ins</source>
        <translation>لا تسجيلات حضور</translation>
    </message>
    <message>
        <source>before {time}</source>
        <translation>قبل {time}</translation>
    </message>
    <message>
        <source>from {time}</source>
        <translation>من {time}</translation>
    </message>
    <message>
        <source>time of day</source>
        <translation>وقت اليوم</translation>
    </message>
    <message>
        <source>Attendance per day</source>
        <translation>الحضور في كل يوم</translation>
    </message>
    <message>
        <source>people present</source>
        <translation>الأشخاص الحاضرون</translation>
    </message>
    <message>
        <source>working day</source>
        <translation>يوم عمل</translation>
    </message>
    <message>
        <source>day off</source>
        <translation>يوم عطلة</translation>
    </message>
    <message>
        <source>Hours per person</source>
        <translation>الساعات لكل شخص</translation>
    </message>
    <message>
        <source>hours (first check-in to last check-out)</source>
        <translation>الساعات (من أول حضور إلى آخر انصراف)</translation>
    </message>
    <message>
        <source>nobody</source>
        <translation>لا أحد</translation>
    </message>
    <message>
        <source>Work starts {start} (late after {grace} min grace); working days {days}; holidays {holidays}.</source>
        <translation>بدء العمل {start} (تأخُّر بعد مهلة {grace} دقيقة)؛ أيام العمل {days}؛ العطل {holidays}.</translation>
    </message>
    <message>
        <source>none</source>
        <translation>لا يوجد</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>عرض</translation>
    </message>
    <message>
        <source>Save report…</source>
        <translation>حفظ التقرير…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>تحديث</translation>
    </message>
    <message>
        <source>Whose last event today is a check-in:</source>
        <translation>مَن آخر حدث له اليوم تسجيل حضور:</translation>
    </message>
    <message>
        <source>Per person</source>
        <translation>لكل شخص</translation>
    </message>
    <message>
        <source>Per day</source>
        <translation>لكل يوم</translation>
    </message>
    <message>
        <source>Charts</source>
        <translation>الرسوم البيانية</translation>
    </message>
    <message>
        <source>Who is in now</source>
        <translation>مَن الحاضر الآن</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>الشخص</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>المجموعة</translation>
    </message>
    <message>
        <source>⚠ The last day is before the first.</source>
        <translation>⚠ اليوم الأخير قبل الأول.</translation>
    </message>
    <message>
        <source>{people} people, {days} days, {working} working.</source>
        <translation>الأشخاص: {people}، الأيام: {days}، أيام العمل: {working}.</translation>
    </message>
    <message>
        <source>{count} in now</source>
        <translation>الحاضرون الآن: {count}</translation>
    </message>
    <message>
        <source>Save report</source>
        <translation>حفظ التقرير</translation>
    </message>
    <message>
        <source>⚠ Choose a file ending in {suffixes}.</source>
        <translation>⚠ اختر ملفًا ينتهي بـ {suffixes}.</translation>
    </message>
    <message>
        <source>Saved the {format} report to {path} ({size} bytes).</source>
        <translation>تم حفظ تقرير {format} في {path} ({size} بايت).</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Automatic (first in, last out)</source>
        <translation>تلقائي (أول ظهور حضور، وآخره انصراف)</translation>
    </message>
    <message>
        <source>In and Out buttons</source>
        <translation>زرّا الحضور والانصراف</translation>
    </message>
    <message numerus="yes">
        <source>In use now, with %n stored face(s): check-in needs a likeness of {attendance}, unlock {unlock}, as set above. This model cannot raise them as more people are enrolled, so the limit on strangers has no effect.</source>
        <translation>
            <numerusform>المستخدم الآن (الوجوه المحفوظة: %n وجه): يحتاج تسجيل الحضور إلى تشابه {attendance}، وفتح القفل إلى {unlock}، كما ضُبط أعلاه. لا يستطيع هذا النموذج رفعهما كلما سُجّل أشخاص أكثر، لذا لا أثر لحدّ الغرباء.</numerusform>
            <numerusform>المستخدم الآن (الوجوه المحفوظة: وجه واحد): يحتاج تسجيل الحضور إلى تشابه {attendance}، وفتح القفل إلى {unlock}، كما ضُبط أعلاه. لا يستطيع هذا النموذج رفعهما كلما سُجّل أشخاص أكثر، لذا لا أثر لحدّ الغرباء.</numerusform>
            <numerusform>المستخدم الآن (الوجوه المحفوظة: وجهان): يحتاج تسجيل الحضور إلى تشابه {attendance}، وفتح القفل إلى {unlock}، كما ضُبط أعلاه. لا يستطيع هذا النموذج رفعهما كلما سُجّل أشخاص أكثر، لذا لا أثر لحدّ الغرباء.</numerusform>
            <numerusform>المستخدم الآن (الوجوه المحفوظة: %n وجوه): يحتاج تسجيل الحضور إلى تشابه {attendance}، وفتح القفل إلى {unlock}، كما ضُبط أعلاه. لا يستطيع هذا النموذج رفعهما كلما سُجّل أشخاص أكثر، لذا لا أثر لحدّ الغرباء.</numerusform>
            <numerusform>المستخدم الآن (الوجوه المحفوظة: %n وجهًا): يحتاج تسجيل الحضور إلى تشابه {attendance}، وفتح القفل إلى {unlock}، كما ضُبط أعلاه. لا يستطيع هذا النموذج رفعهما كلما سُجّل أشخاص أكثر، لذا لا أثر لحدّ الغرباء.</numerusform>
            <numerusform>المستخدم الآن (الوجوه المحفوظة: %n وجه): يحتاج تسجيل الحضور إلى تشابه {attendance}، وفتح القفل إلى {unlock}، كما ضُبط أعلاه. لا يستطيع هذا النموذج رفعهما كلما سُجّل أشخاص أكثر، لذا لا أثر لحدّ الغرباء.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>In use now, with %n stored face(s): check-in needs a likeness of {attendance} (the rule alone: {attendance_rule}, so that at most {target} % of a stranger&apos;s looks at the camera are taken for someone), unlock {unlock} (the rule alone: {unlock_rule}, one wrong unlock in 100,000 tries). The check-in bar rises as people are enrolled. The two numbers above are minimums: raise one to make the kiosk stricter; it never goes below the rule.</source>
        <translation>
            <numerusform>المستخدم الآن (الوجوه المحفوظة: %n وجه): يحتاج تسجيل الحضور إلى تشابه {attendance} (القاعدة وحدها: {attendance_rule}، بحيث لا يُظن أن أكثر من {target} % من نظرات غريب إلى الكاميرا لشخص آخر)، وفتح القفل إلى {unlock} (القاعدة وحدها: {unlock_rule}، فتح خاطئ واحد في كل 100,000 محاولة). ترتفع عتبة الحضور كلما سُجّل أشخاص أكثر. الرقمان أعلاه حدّان أدنيان: ارفع أحدهما لجعل الجهاز أكثر صرامة؛ ولا ينزل أبدًا عن القاعدة.</numerusform>
            <numerusform>المستخدم الآن (الوجوه المحفوظة: وجه واحد): يحتاج تسجيل الحضور إلى تشابه {attendance} (القاعدة وحدها: {attendance_rule}، بحيث لا يُظن أن أكثر من {target} % من نظرات غريب إلى الكاميرا لشخص آخر)، وفتح القفل إلى {unlock} (القاعدة وحدها: {unlock_rule}، فتح خاطئ واحد في كل 100,000 محاولة). ترتفع عتبة الحضور كلما سُجّل أشخاص أكثر. الرقمان أعلاه حدّان أدنيان: ارفع أحدهما لجعل الجهاز أكثر صرامة؛ ولا ينزل أبدًا عن القاعدة.</numerusform>
            <numerusform>المستخدم الآن (الوجوه المحفوظة: وجهان): يحتاج تسجيل الحضور إلى تشابه {attendance} (القاعدة وحدها: {attendance_rule}، بحيث لا يُظن أن أكثر من {target} % من نظرات غريب إلى الكاميرا لشخص آخر)، وفتح القفل إلى {unlock} (القاعدة وحدها: {unlock_rule}، فتح خاطئ واحد في كل 100,000 محاولة). ترتفع عتبة الحضور كلما سُجّل أشخاص أكثر. الرقمان أعلاه حدّان أدنيان: ارفع أحدهما لجعل الجهاز أكثر صرامة؛ ولا ينزل أبدًا عن القاعدة.</numerusform>
            <numerusform>المستخدم الآن (الوجوه المحفوظة: %n وجوه): يحتاج تسجيل الحضور إلى تشابه {attendance} (القاعدة وحدها: {attendance_rule}، بحيث لا يُظن أن أكثر من {target} % من نظرات غريب إلى الكاميرا لشخص آخر)، وفتح القفل إلى {unlock} (القاعدة وحدها: {unlock_rule}، فتح خاطئ واحد في كل 100,000 محاولة). ترتفع عتبة الحضور كلما سُجّل أشخاص أكثر. الرقمان أعلاه حدّان أدنيان: ارفع أحدهما لجعل الجهاز أكثر صرامة؛ ولا ينزل أبدًا عن القاعدة.</numerusform>
            <numerusform>المستخدم الآن (الوجوه المحفوظة: %n وجهًا): يحتاج تسجيل الحضور إلى تشابه {attendance} (القاعدة وحدها: {attendance_rule}، بحيث لا يُظن أن أكثر من {target} % من نظرات غريب إلى الكاميرا لشخص آخر)، وفتح القفل إلى {unlock} (القاعدة وحدها: {unlock_rule}، فتح خاطئ واحد في كل 100,000 محاولة). ترتفع عتبة الحضور كلما سُجّل أشخاص أكثر. الرقمان أعلاه حدّان أدنيان: ارفع أحدهما لجعل الجهاز أكثر صرامة؛ ولا ينزل أبدًا عن القاعدة.</numerusform>
            <numerusform>المستخدم الآن (الوجوه المحفوظة: %n وجه): يحتاج تسجيل الحضور إلى تشابه {attendance} (القاعدة وحدها: {attendance_rule}، بحيث لا يُظن أن أكثر من {target} % من نظرات غريب إلى الكاميرا لشخص آخر)، وفتح القفل إلى {unlock} (القاعدة وحدها: {unlock_rule}، فتح خاطئ واحد في كل 100,000 محاولة). ترتفع عتبة الحضور كلما سُجّل أشخاص أكثر. الرقمان أعلاه حدّان أدنيان: ارفع أحدهما لجعل الجهاز أكثر صرامة؛ ولا ينزل أبدًا عن القاعدة.</numerusform>
        </translation>
    </message>
    <message>
        <source>0, rtsp://…, a video file or a folder of images</source>
        <translation>0 أو rtsp://… أو ملف فيديو أو مجلد صور</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>مجلد…</translation>
    </message>
    <message>
        <source>Video file…</source>
        <translation>ملف فيديو…</translation>
    </message>
    <message>
        <source>Test on the enrolled people</source>
        <translation>اختبار على الأشخاص المسجَّلين</translation>
    </message>
    <message>
        <source>Compares every pair of enrolled photos at the check-in and unlock numbers in use: how often two different people would pass for one another, and how often one person would be missed.</source>
        <translation>يقارن كل زوج من الصور المسجَّلة بقيم الحضور وفتح القفل المستخدمة: كم مرة يُظن شخصان مختلفان شخصًا واحدًا، وكم مرة يُفوَّت الشخص نفسه.</translation>
    </message>
    <message>
        <source> %</source>
        <translation> %</translation>
    </message>
    <message>
        <source> frames</source>
        <translation> إطارات</translation>
    </message>
    <message>
        <source> s</source>
        <translation> ث</translation>
    </message>
    <message>
        <source> px</source>
        <translation> بكسل</translation>
    </message>
    <message>
        <source> min</source>
        <translation> دقيقة</translation>
    </message>
    <message>
        <source> h</source>
        <translation> ساعة</translation>
    </message>
    <message>
        <source>mon tue wed thu fri</source>
        <translation>mon tue wed thu fri</translation>
    </message>
    <message>
        <source>Keep the enrolment photos&apos; faces (encrypted), so a new model needs no re-enrolment</source>
        <translation>الاحتفاظ بوجوه صور التسجيل (مشفَّرة)، فلا يحتاج نموذج جديد إلى إعادة التسجيل</translation>
    </message>
    <message>
        <source>Refuse photos and screens held to the camera</source>
        <translation>رفض الصور والشاشات المعروضة أمام الكاميرا</translation>
    </message>
    <message>
        <source>Calibrate liveness…</source>
        <translation>معايرة كشف الحيوية…</translation>
    </message>
    <message>
        <source>Unlock asks for a head turn (left or right, at random)</source>
        <translation>يطلب فتح القفل التفاتة بالرأس (يمينًا أو يسارًا عشوائيًا)</translation>
    </message>
    <message>
        <source>Double-check every recognition with the second, stronger model</source>
        <translation>التحقق من كل تعرُّف بالنموذج الثاني الأقوى</translation>
    </message>
    <message>
        <source>Standard</source>
        <translation>عادي</translation>
    </message>
    <message>
        <source>High contrast (black, white and yellow)</source>
        <translation>تباين عالٍ (أسود وأبيض وأصفر)</translation>
    </message>
    <message>
        <source>A chime on each check-in, a low tone when a photo or screen is refused</source>
        <translation>نغمة عند كل تسجيل حضور، ونغمة منخفضة عند رفض صورة أو شاشة</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>الكاميرا</translation>
    </message>
    <message>
        <source>Source:</source>
        <translation>المصدر:</translation>
    </message>
    <message>
        <source>Smallest face:</source>
        <translation>أصغر وجه:</translation>
    </message>
    <message>
        <source>faces smaller than this in the picture are ignored</source>
        <translation>تُتجاهل الوجوه الأصغر من هذا في الصورة</translation>
    </message>
    <message>
        <source>This kiosk</source>
        <translation>هذا الجهاز</translation>
    </message>
    <message>
        <source>Ignore repeats for:</source>
        <translation>تجاهل التكرار لمدة:</translation>
    </message>
    <message>
        <source>after a check-in or check-out, the same person is not recorded again for this long</source>
        <translation>بعد تسجيل الحضور أو الانصراف، لا يُسجَّل الشخص نفسه مجددًا طوال هذه المدة</translation>
    </message>
    <message>
        <source>Kiosk name:</source>
        <translation>اسم الجهاز:</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>اللغة:</translation>
    </message>
    <message>
        <source>applies when FaceGate next starts</source>
        <translation>يُطبَّق عند تشغيل FaceGate في المرة القادمة</translation>
    </message>
    <message>
        <source>Enrolment photos:</source>
        <translation>صور التسجيل:</translation>
    </message>
    <message>
        <source>Admin logs out after:</source>
        <translation>تسجيل خروج الإدارة بعد:</translation>
    </message>
    <message>
        <source>without a key press, click or touch</source>
        <translation>دون ضغط مفتاح أو نقر أو لمس</translation>
    </message>
    <message>
        <source>Check-in and check-out</source>
        <translation>الحضور والانصراف</translation>
    </message>
    <message>
        <source>How:</source>
        <translation>الطريقة:</translation>
    </message>
    <message>
        <source>Check-out no sooner than:</source>
        <translation>الانصراف ليس قبل:</translation>
    </message>
    <message>
        <source>after the check-in: walking past again earlier records nothing</source>
        <translation>بعد تسجيل الحضور: المرور مجددًا قبل ذلك لا يُسجِّل شيئًا</translation>
    </message>
    <message>
        <source>A shift lasts up to:</source>
        <translation>تستمر الوردية حتى:</translation>
    </message>
    <message>
        <source>a night shift belongs to the day it began; 0: every day starts at midnight</source>
        <translation>تتبع الوردية الليلية اليوم الذي بدأت فيه؛ 0: كل يوم يبدأ عند منتصف الليل</translation>
    </message>
    <message>
        <source>Working days (for reports)</source>
        <translation>أيام العمل (للتقارير)</translation>
    </message>
    <message>
        <source>Work starts at:</source>
        <translation>يبدأ العمل في:</translation>
    </message>
    <message>
        <source>HH:MM; a later first check-in is late</source>
        <translation>HH:MM؛ أول حضور بعد ذلك يُعد تأخرًا</translation>
    </message>
    <message>
        <source>Late after:</source>
        <translation>متأخر بعد:</translation>
    </message>
    <message>
        <source>minutes of grace after the start</source>
        <translation>دقائق المهلة بعد بدء العمل</translation>
    </message>
    <message>
        <source>Working days:</source>
        <translation>أيام العمل:</translation>
    </message>
    <message>
        <source>Holidays:</source>
        <translation>العطل:</translation>
    </message>
    <message>
        <source>Photos and screens</source>
        <translation>الصور والشاشات</translation>
    </message>
    <message>
        <source>Liveness:</source>
        <translation>كشف الحيوية:</translation>
    </message>
    <message>
        <source>Strictness:</source>
        <translation>درجة الصرامة:</translation>
    </message>
    <message>
        <source>fit the threshold to this camera&apos;s live faces</source>
        <translation>ضبط العتبة على الوجوه الحية لهذه الكاميرا</translation>
    </message>
    <message>
        <source>Unlock:</source>
        <translation>فتح القفل:</translation>
    </message>
    <message>
        <source>Recognition:</source>
        <translation>التعرُّف:</translation>
    </message>
    <message>
        <source>Accessibility</source>
        <translation>إمكانية الوصول</translation>
    </message>
    <message>
        <source>Screens:</source>
        <translation>الشاشات:</translation>
    </message>
    <message>
        <source>Sounds:</source>
        <translation>الأصوات:</translation>
    </message>
    <message>
        <source>Advanced: recognition numbers</source>
        <translation>متقدم: أرقام التعرُّف</translation>
    </message>
    <message>
        <source>Check-in likeness, at least:</source>
        <translation>تشابه الحضور، على الأقل:</translation>
    </message>
    <message>
        <source>how alike a face must be to an enrolled one to check in: higher means fewer mix-ups, more misses</source>
        <translation>مدى تشابه الوجه مع وجه مسجَّل لتسجيل الحضور: الأعلى يعني التباسًا أقل وإخفاقات أكثر</translation>
    </message>
    <message>
        <source>Unlock likeness, at least:</source>
        <translation>تشابه فتح القفل، على الأقل:</translation>
    </message>
    <message>
        <source>higher than check-in, since a mix-up here opens the door</source>
        <translation>أعلى من الحضور، لأن الالتباس هنا يفتح الباب</translation>
    </message>
    <message>
        <source>Strangers taken for someone:</source>
        <translation>غرباء يُظنون أشخاصًا آخرين:</translation>
    </message>
    <message>
        <source>at most this share of a stranger&apos;s looks, however many are enrolled</source>
        <translation>هذه النسبة من نظرات الغريب على الأكثر، مهما كان عدد المسجَّلين</translation>
    </message>
    <message>
        <source>Confirm after:</source>
        <translation>التأكيد بعد:</translation>
    </message>
    <message>
        <source>the same person in this many frames in a row before anything is recorded</source>
        <translation>الشخص نفسه في هذا العدد من الإطارات المتتالية قبل تسجيل أي شيء</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>حفظ</translation>
    </message>
    <message>
        <source>Change admin PIN…</source>
        <translation>تغيير رمز PIN للمسؤول…</translation>
    </message>
    <message>
        <source>Unsaved settings</source>
        <translation>إعدادات غير محفوظة</translation>
    </message>
    <message>
        <source>The settings have changes that are not saved.</source>
        <translation>في الإعدادات تغييرات غير محفوظة.</translation>
    </message>
    <message>
        <source>Keep editing</source>
        <translation>متابعة التحرير</translation>
    </message>
    <message>
        <source>⚠ Unsaved changes: Save them, or leave the page to discard them.</source>
        <translation>⚠ تغييرات غير محفوظة: احفظها، أو غادر الصفحة لتجاهلها.</translation>
    </message>
    <message>
        <source>Playing now: {source} (chosen when the app was started). Saving a different source here switches to it.</source>
        <translation>يُعرض الآن: {source} (اختير عند تشغيل التطبيق). حفظ مصدر آخر هنا يبدّل إليه.</translation>
    </message>
    <message>
        <source>⚠ Not saved: see the camera source above.</source>
        <translation>⚠ لم يُحفظ: انظر مصدر الكاميرا أعلاه.</translation>
    </message>
    <message>
        <source>⚠ Not saved: {problem}</source>
        <translation>⚠ لم يُحفظ: {problem}</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>تم الحفظ.</translation>
    </message>
    <message>
        <source>Folder of images to play as a camera</source>
        <translation>مجلد صور يُعرض ككاميرا</translation>
    </message>
    <message>
        <source>Video file to play as a camera</source>
        <translation>ملف فيديو يُعرض ككاميرا</translation>
    </message>
    <message>
        <source>Attendance</source>
        <translation>الحضور</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>فتح القفل</translation>
    </message>
    <message>
        <source>Comparing every pair of enrolled templates…</source>
        <translation>جارٍ مقارنة كل زوج من القوالب المسجَّلة…</translation>
    </message>
    <message>
        <source>The calibrated liveness threshold was saved.</source>
        <translation>تم حفظ عتبة كشف الحيوية المعايَرة.</translation>
    </message>
    <message>
        <source>The admin PIN was changed.</source>
        <translation>تم تغيير رمز PIN للمسؤول.</translation>
    </message>
</context>
<context>
    <name>Strictness</name>
    <message>
        <source>lenient</source>
        <translation>متساهل</translation>
    </message>
    <message>
        <source>normal</source>
        <translation>عادي</translation>
    </message>
    <message>
        <source>strict</source>
        <translation>صارم</translation>
    </message>
</context>
<context>
    <name>SystemPage</name>
    <message>
        <source>none</source>
        <translation>لا يوجد</translation>
    </message>
    <message>
        <source>About this kiosk</source>
        <translation>حول هذا الجهاز</translation>
    </message>
    <message>
        <source>Camera:</source>
        <translation>الكاميرا:</translation>
    </message>
    <message>
        <source>Speed:</source>
        <translation>السرعة:</translation>
    </message>
    <message>
        <source>Models:</source>
        <translation>النماذج:</translation>
    </message>
    <message>
        <source>Thresholds:</source>
        <translation>العتبات:</translation>
    </message>
    <message>
        <source>Templates:</source>
        <translation>القوالب:</translation>
    </message>
    <message>
        <source>Last problem:</source>
        <translation>آخر مشكلة:</translation>
    </message>
    <message>
        <source>unknown ({problem})</source>
        <translation>غير معروف ({problem})</translation>
    </message>
    <message numerus="yes">
        <source>%n template(s) of the model in use</source>
        <translation>
            <numerusform>قوالب النموذج المستخدم: %n قالب</numerusform>
            <numerusform>قوالب النموذج المستخدم: قالب واحد</numerusform>
            <numerusform>قوالب النموذج المستخدم: قالبان</numerusform>
            <numerusform>قوالب النموذج المستخدم: %n قوالب</numerusform>
            <numerusform>قوالب النموذج المستخدم: %n قالبًا</numerusform>
            <numerusform>قوالب النموذج المستخدم: %n قالب</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Tasks</name>
    <message>
        <source>unexpected error: {error}</source>
        <translation>خطأ غير متوقع: {error}</translation>
    </message>
</context>
<context>
    <name>TemplatesDialog</name>
    <message>
        <source>Templates of {name}</source>
        <translation>قوالب {name}</translation>
    </message>
    <message>
        <source>Face</source>
        <translation>الوجه</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>المعرّف</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>النموذج</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>المصدر</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>التاريخ</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>إزالة</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>إغلاق</translation>
    </message>
    <message>
        <source>no crop</source>
        <translation>لا مقطع</translation>
    </message>
    <message>
        <source>Select a template first.</source>
        <translation>اختر قالبًا أولًا.</translation>
    </message>
    <message>
        <source>Removed {templates}; the attendance history is kept.</source>
        <translation>تمت إزالة {templates}؛ ويُحتفظ بسجل الحضور.</translation>
    </message>
</context>
<context>
    <name>ThresholdCalibration</name>
    <message>
        <source>at {threshold}: false accepts {accepts}{sep}false rejects {rejects}</source>
        <translation>عند {threshold}: القبول الخاطئ {accepts}{sep}الرفض الخاطئ {rejects}</translation>
    </message>
    <message>
        <source>no impostor pairs to measure</source>
        <translation>لا توجد أزواج لأشخاص مختلفين لقياسها</translation>
    </message>
    <message>
        <source>too few to judge ({wrong} of {total} impostor pairs, {needed} needed)</source>
        <translation>أقل من أن يُحكم عليها ({wrong} من {total} زوجًا لأشخاص مختلفين، المطلوب {needed})</translation>
    </message>
    <message>
        <source>{percent}% ({wrong} of {total} impostor pairs)</source>
        <translation>{percent}% ({wrong} من {total} زوجًا لأشخاص مختلفين)</translation>
    </message>
    <message>
        <source>no genuine pairs to measure</source>
        <translation>لا توجد أزواج للشخص نفسه لقياسها</translation>
    </message>
    <message>
        <source>too few to judge ({wrong} of {total} genuine pairs, {needed} needed)</source>
        <translation>أقل من أن يُحكم عليها ({wrong} من {total} زوجًا للشخص نفسه، المطلوب {needed})</translation>
    </message>
    <message>
        <source>{percent}% ({wrong} of {total} genuine pairs)</source>
        <translation>{percent}% ({wrong} من {total} زوجًا للشخص نفسه)</translation>
    </message>
</context>
<context>
    <name>UnlockView</name>
    <message>
        <source>Arm…</source>
        <translation>تفعيل…</translation>
    </message>
    <message>
        <source>Unlock for:</source>
        <translation>فتح القفل لـ:</translation>
    </message>
    <message>
        <source>Anyone in the &apos;{group}&apos; group</source>
        <translation>أي شخص في المجموعة &apos;{group}&apos;</translation>
    </message>
    <message>
        <source>Disarming Unlock needs the admin PIN.</source>
        <translation>يتطلب إلغاء تفعيل فتح القفل رمز PIN للمسؤول.</translation>
    </message>
    <message>
        <source>Arming Unlock needs the admin PIN.</source>
        <translation>يتطلب تفعيل فتح القفل رمز PIN للمسؤول.</translation>
    </message>
    <message>
        <source>UNLOCKED — {name}</source>
        <translation>مفتوح — {name}</translation>
    </message>
    <message>
        <source>LOCKED — armed for {who}</source>
        <translation>مقفل — مفعّل لـ {who}</translation>
    </message>
    <message>
        <source>LOCKED</source>
        <translation>مقفل</translation>
    </message>
    <message>
        <source>Disarm…</source>
        <translation>إلغاء التفعيل…</translation>
    </message>
</context>
<context>
    <name>VideoView</name>
    <message>
        <source>Waiting for the camera…</source>
        <translation>في انتظار الكاميرا…</translation>
    </message>
    <message>
        <source>Camera picture</source>
        <translation>صورة الكاميرا</translation>
    </message>
    <message>
        <source>The live camera, with a box and a name over each face; what happened is said in the banner above it</source>
        <translation>صورة الكاميرا المباشرة، مع إطار واسم فوق كل وجه؛ ويُذكر ما حدث في الشريط أعلاها</translation>
    </message>
</context>
<context>
    <name>record_view</name>
    <message>
        <source>Table: {columns}</source>
        <translation>جدول: {columns}</translation>
    </message>
</context>
</TS>
