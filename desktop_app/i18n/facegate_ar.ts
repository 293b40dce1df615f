<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ar">
<context>
    <name>App</name>
    <message>
        <source>FaceGate cannot start</source>
        <translation>تعذّر تشغيل FaceGate</translation>
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
        <source>✓ Welcome, {name} — checked in at {time}</source>
        <translation>✓ أهلًا {name} — سُجّل الدخول في {time}</translation>
    </message>
    <message>
        <source>✓ Goodbye, {name} — checked out at {time}</source>
        <translation>✓ مع السلامة {name} — سُجّل الخروج في {time}</translation>
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
    <name>SettingsPage</name>
    <message>
        <source>Language:</source>
        <translation>اللغة:</translation>
    </message>
    <message>
        <source>applies when FaceGate next starts</source>
        <translation>يُطبَّق عند تشغيل FaceGate في المرة القادمة</translation>
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
</context>
</TS>
