<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>App</name>
    <message>
        <source>FaceGate cannot start</source>
        <translation>FaceGate 无法启动</translation>
    </message>
</context>
<context>
    <name>DirectionBar</name>
    <message>
        <source>In</source>
        <translation>进</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>出</translation>
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
        <translation>{problem}；{seconds} 秒后重试</translation>
    </message>
    <message>
        <source>unexpected error: {error}</source>
        <translation>意外错误：{error}</translation>
    </message>
</context>
<context>
    <name>Kiosk</name>
    <message>
        <source>press In or Out (keys I / O), then look at the camera</source>
        <translation>请按“进”或“出”（按键 I / O），然后看向摄像头</translation>
    </message>
    <message>
        <source>not unlocked: please step out of view, then come back to try again</source>
        <translation>未解锁：请先离开画面，再回来重试</translation>
    </message>
    <message>
        <source>not unlocked: no head turn in time; please try again</source>
        <translation>未解锁：未及时转头，请重试</translation>
    </message>
    <message>
        <source>not unlocked: the head turned the other way; please try again</source>
        <translation>未解锁：头转向了另一侧，请重试</translation>
    </message>
    <message>
        <source>not unlocked: a photo or screen cannot unlock; please try again</source>
        <translation>未解锁：照片或屏幕无法解锁，请重试</translation>
    </message>
    <message>
        <source>{name} — already checked in at {time}</source>
        <translation>{name} — 已于 {time} 签到</translation>
    </message>
    <message>
        <source>{name} — already checked out at {time}</source>
        <translation>{name} — 已于 {time} 签退</translation>
    </message>
    <message>
        <source>Turn your head to your left</source>
        <translation>请把头转向您的左侧</translation>
    </message>
    <message>
        <source>Turn your head to your right</source>
        <translation>请把头转向您的右侧</translation>
    </message>
    <message>
        <source>photo or screen not accepted — please look at the camera yourself</source>
        <translation>不接受照片或屏幕 — 请本人看向摄像头</translation>
    </message>
    <message>
        <source>please come closer to the camera</source>
        <translation>请靠近摄像头</translation>
    </message>
    <message>
        <source>grayscale image: liveness needs colour, so use a colour camera (or turn liveness off in Settings)</source>
        <translation>灰度图像：活体检测需要彩色画面，请使用彩色摄像头（或在设置中关闭活体检测）</translation>
    </message>
</context>
<context>
    <name>KioskView</name>
    <message>
        <source>Not recognised — look at the camera, or ask an administrator to enrol you</source>
        <translation>未识别 — 请看向摄像头，或请管理员为您登记</translation>
    </message>
    <message>
        <source>photo or screen</source>
        <translation>照片或屏幕</translation>
    </message>
    <message>
        <source>not recognised</source>
        <translation>未识别</translation>
    </message>
    <message>
        <source>✓ Welcome, {name} — checked in at {time}</source>
        <translation>✓ 欢迎，{name} — {time} 已签到</translation>
    </message>
    <message>
        <source>✓ Goodbye, {name} — checked out at {time}</source>
        <translation>✓ 再见，{name} — {time} 已签退</translation>
    </message>
</context>
<context>
    <name>Language</name>
    <message>
        <source>The computer&apos;s language</source>
        <translation>系统语言</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Check that the camera is plugged in and switched on, and that no other program is using it. FaceGate keeps trying by itself; an administrator can choose another camera in Admin → Settings.</source>
        <translation>请检查摄像头是否已插好并打开，且没有其他程序在使用它。FaceGate 会自动重试；管理员可以在 管理 → 设置 中选择其他摄像头。</translation>
    </message>
    <message>
        <source>The video has ended: no more frames to check. Restart FaceGate, or choose a camera in Admin → Settings.</source>
        <translation>视频已结束：没有更多画面可供检查。请重新启动 FaceGate，或在 管理 → 设置 中选择摄像头。</translation>
    </message>
    <message>
        <source>camera {number}</source>
        <translation>摄像头 {number}</translation>
    </message>
    <message>
        <source>stream {url}</source>
        <translation>视频流 {url}</translation>
    </message>
    <message>
        <source>folder “{name}”</source>
        <translation>文件夹“{name}”</translation>
    </message>
    <message>
        <source>video “{name}”</source>
        <translation>视频“{name}”</translation>
    </message>
    <message>
        <source>Screens</source>
        <translation>界面</translation>
    </message>
    <message>
        <source>Check-in</source>
        <translation>签到</translation>
    </message>
    <message>
        <source>Unlock…</source>
        <translation>开门…</translation>
    </message>
    <message>
        <source>Admin…</source>
        <translation>管理…</translation>
    </message>
    <message>
        <source>Kiosk mode (full screen)</source>
        <translation>自助终端模式（全屏）</translation>
    </message>
    <message>
        <source>Staff: screens, admin and leaving kiosk mode (admin PIN)</source>
        <translation>工作人员：切换界面、管理和退出自助终端模式（需管理员 PIN）</translation>
    </message>
    <message>
        <source>Leave kiosk mode…</source>
        <translation>退出自助终端模式…</translation>
    </message>
    <message>
        <source>Leaving the armed Unlock screen needs the admin PIN.</source>
        <translation>离开已布防的开门界面需要管理员 PIN。</translation>
    </message>
    <message>
        <source>The Unlock screen stops check-ins: it needs the admin PIN.</source>
        <translation>开门界面会停止签到：需要管理员 PIN。</translation>
    </message>
    <message>
        <source>Leaving kiosk mode needs the admin PIN.</source>
        <translation>退出自助终端模式需要管理员 PIN。</translation>
    </message>
    <message numerus="yes">
        <source>offline: %n event(s) waiting</source>
        <translation>
            <numerusform>离线：%n 个事件等待中</numerusform>
        </translation>
    </message>
    <message>
        <source>{fps} fps</source>
        <translation>{fps} 帧/秒</translation>
    </message>
    <message>
        <source>The camera is not working.

{problem}

{advice}</source>
        <translation>摄像头无法工作。

{problem}

{advice}</translation>
    </message>
    <message>
        <source>{source}: no more frames</source>
        <translation>{source}：没有更多画面</translation>
    </message>
    <message>
        <source>camera not working</source>
        <translation>摄像头无法工作</translation>
    </message>
    <message>
        <source>recognition or database problem (see Admin → System)</source>
        <translation>识别或数据库出现问题（见 管理 → 系统）</translation>
    </message>
    <message>
        <source>camera and recognition working</source>
        <translation>摄像头和识别工作正常</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>applies when FaceGate next starts</source>
        <translation>下次启动 FaceGate 时生效</translation>
    </message>
</context>
<context>
    <name>Tasks</name>
    <message>
        <source>unexpected error: {error}</source>
        <translation>意外错误：{error}</translation>
    </message>
</context>
<context>
    <name>UnlockView</name>
    <message>
        <source>Arm…</source>
        <translation>布防…</translation>
    </message>
    <message>
        <source>Unlock for:</source>
        <translation>为谁开门：</translation>
    </message>
    <message>
        <source>Anyone in the &apos;{group}&apos; group</source>
        <translation>“{group}”组中的任何人</translation>
    </message>
    <message>
        <source>Disarming Unlock needs the admin PIN.</source>
        <translation>撤防开门需要管理员 PIN。</translation>
    </message>
    <message>
        <source>Arming Unlock needs the admin PIN.</source>
        <translation>布防开门需要管理员 PIN。</translation>
    </message>
    <message>
        <source>UNLOCKED — {name}</source>
        <translation>已开锁 — {name}</translation>
    </message>
    <message>
        <source>LOCKED — armed for {who}</source>
        <translation>已锁定 — 已为 {who} 布防</translation>
    </message>
    <message>
        <source>LOCKED</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>Disarm…</source>
        <translation>撤防…</translation>
    </message>
</context>
<context>
    <name>VideoView</name>
    <message>
        <source>Waiting for the camera…</source>
        <translation>正在等待摄像头…</translation>
    </message>
</context>
</TS>
