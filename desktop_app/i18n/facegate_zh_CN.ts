<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ActionsPage</name>
    <message>
        <source>shell command, e.g. usbrelay HURTM_1=1</source>
        <translation>Shell 命令，例如 usbrelay HURTM_1=1</translation>
    </message>
    <message>
        <source>https://host/path</source>
        <translation>https://主机/路径</translation>
    </message>
    <message>
        <source>mqtt://user:password@host:1883</source>
        <translation>mqtt://用户:密码@主机:1883</translation>
    </message>
    <message>
        <source>run</source>
        <translation>运行命令</translation>
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
        <translation>{method}（已签名）</translation>
    </message>
    <message>
        <source>{target}  topic {topic}</source>
        <translation>{target}  主题 {topic}</translation>
    </message>
    <message>
        <source>e.g. front door</source>
        <translation>例如 正门</translation>
    </message>
    <message>
        <source>MQTT only, e.g. facegate/door</source>
        <translation>仅限 MQTT，例如 facegate/door</translation>
    </message>
    <message>
        <source>webhook only: a file of mode 0600 holding the secret</source>
        <translation>仅限 Webhook：存放密钥的文件（权限 0600）</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Send a test event</source>
        <translation>发送测试事件</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>On</source>
        <translation>触发事件</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方式</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Topic</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Secret file</source>
        <translation>密钥文件</translation>
    </message>
    <message>
        <source>Added {name}.</source>
        <translation>已添加 {name}。</translation>
    </message>
    <message>
        <source>Choose an action in the list first.</source>
        <translation>请先在列表中选择一个动作。</translation>
    </message>
    <message>
        <source>Remove action</source>
        <translation>删除动作</translation>
    </message>
    <message>
        <source>Remove {name} and the deliveries still waiting for it?</source>
        <translation>删除 {name} 及其仍在等待的投递？</translation>
    </message>
    <message>
        <source>Removed {name}.</source>
        <translation>已删除 {name}。</translation>
    </message>
    <message>
        <source>{name}: not delivered: {problem}</source>
        <translation>{name}：未送达：{problem}</translation>
    </message>
    <message>
        <source>{name}: test event delivered.</source>
        <translation>{name}：测试事件已送达。</translation>
    </message>
</context>
<context>
    <name>AdminPanel</name>
    <message>
        <source>Enrol</source>
        <translation>录入</translation>
    </message>
    <message>
        <source>People</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Attendance</source>
        <translation>考勤</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <source>Audit</source>
        <translation>审计</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>动作</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Backup</source>
        <translation>备份</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
</context>
<context>
    <name>AdminWindow</name>
    <message>
        <source>FaceGate — admin</source>
        <translation>FaceGate — 管理</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Admin — check-ins go on in the kiosk window.</source>
        <translation>管理 — 签到在终端窗口中照常进行。</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>FaceGate cannot start</source>
        <translation>FaceGate 无法启动</translation>
    </message>
</context>
<context>
    <name>AttendancePage</name>
    <message>
        <source>Daily summary…</source>
        <translation>每日汇总…</translation>
    </message>
    <message>
        <source>Check-ins and outs…</source>
        <translation>签到与签退…</translation>
    </message>
    <message>
        <source>Unlocks…</source>
        <translation>开锁记录…</translation>
    </message>
    <message>
        <source>Daily summary</source>
        <translation>每日汇总</translation>
    </message>
    <message>
        <source>Check-ins and outs</source>
        <translation>签到与签退</translation>
    </message>
    <message>
        <source>Unlocks</source>
        <translation>开锁记录</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <source>Corrections…</source>
        <translation>更正记录…</translation>
    </message>
    <message>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>组</translation>
    </message>
    <message>
        <source>Show voided</source>
        <translation>显示已作废</translation>
    </message>
    <message>
        <source>Add missed…</source>
        <translation>补录…</translation>
    </message>
    <message>
        <source>Change time…</source>
        <translation>修改时间…</translation>
    </message>
    <message>
        <source>Void…</source>
        <translation>作废…</translation>
    </message>
    <message>
        <source>Select a check-in or check-out first.</source>
        <translation>请先选择一条签到或签退记录。</translation>
    </message>
    <message>
        <source>That event is voided already.</source>
        <translation>该记录已作废。</translation>
    </message>
    <message>
        <source>Corrections need the admin PIN.</source>
        <translation>更正需要管理员 PIN。</translation>
    </message>
    <message>
        <source>added</source>
        <translation>补录</translation>
    </message>
    <message>
        <source>edited (was {time})</source>
        <translation>已修改（原为 {time}）</translation>
    </message>
    <message>
        <source>voided</source>
        <translation>已作废</translation>
    </message>
    <message numerus="yes">
        <source>%n event(s)</source>
        <translation>
            <numerusform>%n 个事件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n person-day(s)</source>
        <translation>
            <numerusform>%n 人·天</numerusform>
        </translation>
    </message>
    <message>
        <source>{events}, {days}, {unlocks}.</source>
        <translation>{events}，{days}，{unlocks}。</translation>
    </message>
    <message numerus="yes">
        <source>%n unlock(s)</source>
        <translation>
            <numerusform>%n 次开锁</numerusform>
        </translation>
    </message>
    <message>
        <source>{events}, {days}.</source>
        <translation>{events}，{days}。</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n correction(s) to {path}.</source>
        <translation>
            <numerusform>已将 %n 条更正导出到 {path}。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n person-day(s) to {path}.</source>
        <translation>
            <numerusform>已将 %n 人·天导出到 {path}。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n unlock(s) to {path}.</source>
        <translation>
            <numerusform>已将 %n 次开锁导出到 {path}。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n event(s) to {path}.</source>
        <translation>
            <numerusform>已将 %n 个事件导出到 {path}。</numerusform>
        </translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
</context>
<context>
    <name>AuditKind</name>
    <message>
        <source>enrolment</source>
        <translation>录入</translation>
    </message>
    <message>
        <source>deletion</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>person</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>refused photo</source>
        <translation>拒绝的照片</translation>
    </message>
    <message>
        <source>settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>correction</source>
        <translation>更正</translation>
    </message>
    <message>
        <source>other</source>
        <translation>其他</translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <source>All kinds</source>
        <translation>所有类型</translation>
    </message>
    <message>
        <source>Search actor, action, detail</source>
        <translation>搜索操作者、操作、详情</translation>
    </message>
    <message>
        <source>Search the audit log</source>
        <translation>搜索审计日志</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>{shown} of {total} entries shown.</source>
        <translation>显示 {total} 条中的 {shown} 条。</translation>
    </message>
    <message>
        <source>Export audit log</source>
        <translation>导出审计日志</translation>
    </message>
    <message>
        <source>Exported {count} entries to {path}.</source>
        <translation>已将 {count} 条记录导出到 {path}。</translation>
    </message>
</context>
<context>
    <name>BackupPage</name>
    <message>
        <source>Include the face-data key, sealed under a passphrase</source>
        <translation>包含人脸数据密钥，用口令加密封存</translation>
    </message>
    <message>
        <source>Back up now</source>
        <translation>立即备份</translation>
    </message>
    <message>
        <source>a backup file</source>
        <translation>备份文件</translation>
    </message>
    <message>
        <source>Replace the current database (everything since the backup is lost)</source>
        <translation>替换当前数据库（备份之后的所有数据都将丢失）</translation>
    </message>
    <message>
        <source>Restore…</source>
        <translation>恢复…</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Back up</source>
        <translation>备份</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>Passphrase:</source>
        <translation>口令：</translation>
    </message>
    <message>
        <source>Passphrase again:</source>
        <translation>再次输入口令：</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Passphrase (if it holds the key):</source>
        <translation>口令（如备份含密钥）：</translation>
    </message>
    <message>
        <source>Back up to</source>
        <translation>备份到</translation>
    </message>
    <message>
        <source>Restore from</source>
        <translation>从以下位置恢复</translation>
    </message>
    <message>
        <source>⚠ Choose the file to write first.</source>
        <translation>⚠ 请先选择要写入的文件。</translation>
    </message>
    <message>
        <source>⚠ Type the same passphrase twice: it seals the key.</source>
        <translation>⚠ 请两次输入相同的口令：它用于封存密钥。</translation>
    </message>
    <message>
        <source>Backing up…</source>
        <translation>正在备份…</translation>
    </message>
    <message>
        <source>Wrote {file}. The face-data key is inside, sealed under the passphrase.</source>
        <translation>已写入 {file}。人脸数据密钥已包含在内，并用口令封存。</translation>
    </message>
    <message>
        <source>Wrote {file}. The face-data key is not inside: keep {key} safe apart.</source>
        <translation>已写入 {file}。人脸数据密钥未包含在内：请另行妥善保管 {key}。</translation>
    </message>
    <message>
        <source>⚠ Choose the backup file first.</source>
        <translation>⚠ 请先选择备份文件。</translation>
    </message>
    <message>
        <source>⚠ Restoring replaces the current database: tick the box to confirm.</source>
        <translation>⚠ 恢复将替换当前数据库：请勾选复选框以确认。</translation>
    </message>
    <message>
        <source>Restoring…</source>
        <translation>正在恢复…</translation>
    </message>
    <message>
        <source>Restored the backup of {created} (schema {schema}, migrated from {old}).</source>
        <translation>已恢复 {created} 的备份（结构 {schema}，从 {old} 迁移）。</translation>
    </message>
    <message>
        <source>Restored the backup of {created} (schema {schema}).</source>
        <translation>已恢复 {created} 的备份（结构 {schema}）。</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Notice</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Hint</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>Please do this</source>
        <translation>请照做</translation>
    </message>
    <message>
        <source>{kind}: {text}</source>
        <translation>{kind}：{text}</translation>
    </message>
</context>
<context>
    <name>CalibrateDialog</name>
    <message>
        <source>In use now: the calibrated threshold {threshold} (it replaces the strictness&apos;s); the model&apos;s secure floor is {floor}.</source>
        <translation>当前使用：校准阈值 {threshold}（取代严格度的阈值）；模型的安全下限为 {floor}。</translation>
    </message>
    <message>
        <source>In use now: the {strictness} threshold {threshold}; the model&apos;s secure floor is {floor}.</source>
        <translation>当前使用：“{strictness}”阈值 {threshold}；模型的安全下限为 {floor}。</translation>
    </message>
    <message>
        <source>Calibrate liveness</source>
        <translation>校准活体检测</translation>
    </message>
    <message>
        <source>Have live people stand in front of the camera, one at a time, facing it and moving a little, in the light the kiosk works in. No photos or screens in view. The proposal refuses at most 1 % of their frames, but never goes below the model&apos;s secure floor.</source>
        <translation>请真人逐一站在摄像头前，面向摄像头并略微移动，光线与终端日常工作时相同。画面中不得出现照片或屏幕。建议值最多拒绝其 1 % 的画面，但绝不低于模型的安全下限。</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>Use the strictness&apos;s threshold</source>
        <translation>使用严格度的阈值</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Record for:</source>
        <translation>录制时长：</translation>
    </message>
    <message>
        <source>Recording…</source>
        <translation>正在录制…</translation>
    </message>
    <message>
        <source>{frames} frames, {judged} with a face judged</source>
        <translation>{frames} 帧，其中 {judged} 帧已判定人脸</translation>
    </message>
    <message>
        <source>⚠ {problem}. Nothing was changed.</source>
        <translation>⚠ {problem}。未做任何更改。</translation>
    </message>
    <message>
        <source>Apply saves this threshold for every kiosk of the site.</source>
        <translation>“应用”会为本站点的所有终端保存此阈值。</translation>
    </message>
    <message>
        <source>The kiosk uses the strictness&apos;s threshold again.</source>
        <translation>终端重新使用严格度的阈值。</translation>
    </message>
</context>
<context>
    <name>Calibration</name>
    <message>
        <source>no face seen: stand in front of the camera, one person at a time, and calibrate again</source>
        <translation>未检测到人脸：请逐一站在摄像头前，然后重新校准</translation>
    </message>
    <message>
        <source>{frames} frames: {judged} with a face judged, {no_face} without a face, {too_small} with a face too small to judge</source>
        <translation>{frames} 帧：{judged} 帧的人脸已评估，{no_face} 帧没有人脸，{too_small} 帧的人脸太小无法评估</translation>
    </message>
    <message>
        <source>proposed liveness threshold {threshold}: refuses {refused} of these {judged} live frames ({share} %)</source>
        <translation>建议的活体检测阈值 {threshold}：在这 {judged} 帧真人画面中拒绝 {refused} 帧（{share} %）</translation>
    </message>
    <message>
        <source>the secure floor wins: refusing only {share} % of these frames needs a threshold under the model&apos;s secure floor {floor}, which would let photos and screens through; better light or a closer camera lowers the share refused</source>
        <translation>以安全下限为准：要只拒绝这些画面的 {share} %，阈值需低于模型的安全下限 {floor}，那样会放过照片和屏幕；更好的光线或更近的摄像头可降低被拒绝的比例</translation>
    </message>
    <message>
        <source>the camera gave no frames</source>
        <translation>摄像头没有提供任何画面</translation>
    </message>
    <message>
        <source>only {judged} frames held a face close enough to judge ({needed} needed): stand closer to the camera, and calibrate for longer</source>
        <translation>只有 {judged} 帧的人脸足够近可以评估（需要 {needed} 帧）：请站得离摄像头更近，并延长校准时间</translation>
    </message>
    <message>
        <source>the face did not change from frame to frame: this is a still picture fed in as a camera, not live people; calibrate on the real camera</source>
        <translation>人脸在各帧之间没有变化：这是作为摄像头输入的静止图片，而不是真人；请使用真实的摄像头校准</translation>
    </message>
    <message>
        <source>{attacks} of {judged} faces scored like a photo or screen (under {level}): calibrate with live people only, no photos or screens in view</source>
        <translation>{judged} 张人脸中有 {attacks} 张的得分像照片或屏幕（低于 {level}）：请只让真人校准，画面中不得出现照片或屏幕</translation>
    </message>
</context>
<context>
    <name>CorrectionDialog</name>
    <message>
        <source>Add a missed event</source>
        <translation>补录漏记的记录</translation>
    </message>
    <message>
        <source>Change an event&apos;s time</source>
        <translation>修改记录时间</translation>
    </message>
    <message>
        <source>Void an event</source>
        <translation>作废一条记录</translation>
    </message>
    <message>
        <source>Why the record is wrong</source>
        <translation>记录为何有误</translation>
    </message>
    <message>
        <source>{kind} of {name} at {time}</source>
        <translation>{name} 的{kind}，时间 {time}</translation>
    </message>
    <message>
        <source>Event:</source>
        <translation>记录：</translation>
    </message>
    <message>
        <source>Person:</source>
        <translation>人员：</translation>
    </message>
    <message>
        <source>Time:</source>
        <translation>时间：</translation>
    </message>
    <message>
        <source>New time:</source>
        <translation>新时间：</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>原因：</translation>
    </message>
    <message>
        <source>Give a reason: it is kept with the correction.</source>
        <translation>请填写原因：它将与更正一起保存。</translation>
    </message>
    <message>
        <source>Choose the person.</source>
        <translation>请选择人员。</translation>
    </message>
</context>
<context>
    <name>DateRange</name>
    <message>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <source>to</source>
        <translation>至</translation>
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
    <name>EnrolPage</name>
    <message>
        <source>No camera picture: check that the camera is plugged in and chosen in Settings, then try again.</source>
        <translation>没有摄像头画面：请检查摄像头已连接并已在“设置”中选中，然后重试。</translation>
    </message>
    <message>
        <source>Capture takes 5 to 10 good frames; follow the prompts.</source>
        <translation>采集需要 5 到 10 帧合格画面；请按提示操作。</translation>
    </message>
    <message>
        <source>Full name (an existing name adds to that person)</source>
        <translation>全名（已有的姓名会添加到该人员）</translation>
    </message>
    <message>
        <source>optional, e.g. staff or admin</source>
        <translation>可选，例如 staff 或 admin</translation>
    </message>
    <message>
        <source>optional, e.g. employee number</source>
        <translation>可选，例如工号</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>姓名：</translation>
    </message>
    <message>
        <source>Group:</source>
        <translation>组：</translation>
    </message>
    <message>
        <source>External id:</source>
        <translation>外部编号：</translation>
    </message>
    <message>
        <source>Add photos…</source>
        <translation>添加照片…</translation>
    </message>
    <message>
        <source>From photos (or drop image files here)</source>
        <translation>来自照片（或将图片文件拖放到此处）</translation>
    </message>
    <message>
        <source>Start camera capture</source>
        <translation>开始摄像头采集</translation>
    </message>
    <message>
        <source>From the camera</source>
        <translation>来自摄像头</translation>
    </message>
    <message>
        <source>Refuse these photos</source>
        <translation>拒绝这些照片</translation>
    </message>
    <message>
        <source>Enrol</source>
        <translation>录入</translation>
    </message>
    <message>
        <source>Photos of the person</source>
        <translation>此人的照片</translation>
    </message>
    <message>
        <source>Images ({patterns})</source>
        <translation>图片 ({patterns})</translation>
    </message>
    <message numerus="yes">
        <source>Checking %n photo(s)…</source>
        <translation>
            <numerusform>正在检查 %n 张照片…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{usable} of %n photo(s) usable.</source>
        <translation>
            <numerusform>%n 张照片中有 {usable} 张可用。</numerusform>
        </translation>
    </message>
    <message>
        <source>cannot be read: {detail}</source>
        <translation>无法读取：{detail}</translation>
    </message>
    <message numerus="yes">
        <source>%n camera sample(s) ready.</source>
        <translation>
            <numerusform>%n 个摄像头样本已就绪。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Refused %n photo(s).</source>
        <translation>
            <numerusform>已拒绝 %n 张照片。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Enrolled {name}: %n template(s) stored.</source>
        <translation>
            <numerusform>已录入 {name}：保存了 %n 个模板。</numerusform>
        </translation>
    </message>
    <message>
        <source>Stop capture</source>
        <translation>停止采集</translation>
    </message>
    <message>
        <source>Type the person&apos;s name first.</source>
        <translation>请先输入此人的姓名。</translation>
    </message>
    <message>
        <source>⚠ {problem}. Refuse them, or enrol anyway only if they are {name}.</source>
        <translation>⚠ {problem}。请拒绝这些照片；只有确认是 {name} 本人时才仍然录入。</translation>
    </message>
    <message>
        <source>Enrol anyway</source>
        <translation>仍然录入</translation>
    </message>
    <message>
        <source>These photos:</source>
        <translation>这些照片：</translation>
    </message>
    <message>
        <source>{name} as enrolled:</source>
        <translation>已录入的 {name}：</translation>
    </message>
    <message>
        <source>{name}, already enrolled:</source>
        <translation>{name}，已录入：</translation>
    </message>
    <message>
        <source>✗ {photo} — refused: not the same person</source>
        <translation>✗ {photo} — 已拒绝：不是同一个人</translation>
    </message>
</context>
<context>
    <name>Enrolment</name>
    <message>
        <source>{photo} does not match {name}&apos;s templates (similarity {similarity}, need {need})</source>
        <translation>{photo} 与 {name} 的模板不符（相似度 {similarity}，需要 {need}）</translation>
    </message>
    <message>
        <source>{photo} does not match the other photos (similarity {similarity}, need {need})</source>
        <translation>{photo} 与其他照片不符（相似度 {similarity}，需要 {need}）</translation>
    </message>
    <message>
        <source>face {number}</source>
        <translation>人脸 {number}</translation>
    </message>
    <message>
        <source>these faces already match {name} (#{id}, {similarity})</source>
        <translation>这些人脸已与 {name} 匹配（#{id}，{similarity}）</translation>
    </message>
    <message>
        <source>look straight at the camera</source>
        <translation>请直视摄像头</translation>
    </message>
    <message>
        <source>turn your head a little to the left</source>
        <translation>请将头稍微向左转</translation>
    </message>
    <message>
        <source>turn your head a little to the right</source>
        <translation>请将头稍微向右转</translation>
    </message>
    <message>
        <source>tilt your chin up a little</source>
        <translation>请将下巴稍微抬起</translation>
    </message>
    <message>
        <source>tilt your chin down a little</source>
        <translation>请将下巴稍微放低</translation>
    </message>
    <message>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>now {prompt}</source>
        <translation>现在{prompt}</translation>
    </message>
    <message>
        <source>got it; now {prompt}</source>
        <translation>已采集；现在{prompt}</translation>
    </message>
    <message>
        <source>no face found: face the camera in good light</source>
        <translation>未找到人脸：请在光线充足处面向摄像头</translation>
    </message>
    <message>
        <source>more than one face: only the person being enrolled should be in the picture</source>
        <translation>不止一张人脸：画面中只能有正在录入的人</translation>
    </message>
    <message>
        <source>face too small ({size} px, need {need}): come closer</source>
        <translation>人脸太小（{size} 像素，需要 {need}）：请靠近一些</translation>
    </message>
    <message>
        <source>head tilted {degrees}°: keep your eyes level</source>
        <translation>头部倾斜 {degrees}°：请保持双眼水平</translation>
    </message>
    <message>
        <source>face turned away: look straight at the camera</source>
        <translation>脸部转开了：请直视摄像头</translation>
    </message>
    <message>
        <source>too dark: add light in front of the face</source>
        <translation>太暗：请在脸部前方增加光线</translation>
    </message>
    <message>
        <source>too bright: avoid direct light or glare on the face</source>
        <translation>太亮：请避免直射光或脸上的反光</translation>
    </message>
    <message>
        <source>blurred: hold still (or use a sharper photo)</source>
        <translation>模糊：请保持不动（或使用更清晰的照片）</translation>
    </message>
</context>
<context>
    <name>EventKind</name>
    <message>
        <source>check-in</source>
        <translation>签到</translation>
    </message>
    <message>
        <source>check-out</source>
        <translation>签退</translation>
    </message>
    <message>
        <source>unlock</source>
        <translation>开锁</translation>
    </message>
    <message>
        <source>attack</source>
        <translation>攻击</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Export people</source>
        <translation>导出人员</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <source>⚠ Choose a file first.</source>
        <translation>⚠ 请先选择文件。</translation>
    </message>
    <message>
        <source>Wrote 1 person to {path}.</source>
        <translation>已将 1 人写入 {path}。</translation>
    </message>
    <message>
        <source>Wrote {count} people to {path}.</source>
        <translation>已将 {count} 人写入 {path}。</translation>
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
    <name>HistogramView</name>
    <message>
        <source>green: live scores on this camera</source>
        <translation>绿色：此摄像头上的真人得分</translation>
    </message>
    <message>
        <source>red: attacks (shipped with the model)</source>
        <translation>红色：攻击（随模型提供）</translation>
    </message>
    <message>
        <source>(the model ships no attack scores)</source>
        <translation>（模型未附带攻击得分）</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <source>Import people</source>
        <translation>导入人员</translation>
    </message>
    <message>
        <source>people.csv: columns name, photo (a;b), group, external_id</source>
        <translation>people.csv：列为 name、photo (a;b)、group、external_id</translation>
    </message>
    <message>
        <source>the folder photo names are relative to (default: the CSV&apos;s)</source>
        <translation>照片文件名所相对的文件夹（默认：CSV 所在文件夹）</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>CSV file:</source>
        <translation>CSV 文件：</translation>
    </message>
    <message>
        <source>Photo folder:</source>
        <translation>照片文件夹：</translation>
    </message>
    <message>
        <source>People CSV</source>
        <translation>人员 CSV</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV 文件 (*.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Photo folder</source>
        <translation>照片文件夹</translation>
    </message>
    <message>
        <source>Checking every row (nothing is stored yet)…</source>
        <translation>正在检查每一行（尚未保存任何内容）…</translation>
    </message>
    <message>
        <source>All {count} rows can be enrolled: press Import.</source>
        <translation>全部 {count} 行均可录入：请按“导入”。</translation>
    </message>
    <message>
        <source>Enrolling {count} people…</source>
        <translation>正在录入 {count} 人…</translation>
    </message>
    <message>
        <source>Imported {count} people.</source>
        <translation>已导入 {count} 人。</translation>
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
        <source>Welcome, {name} — checked in at {time}</source>
        <translation>欢迎，{name} — {time} 已签到</translation>
    </message>
    <message>
        <source>Goodbye, {name} — checked out at {time}</source>
        <translation>再见，{name} — {time} 已签退</translation>
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
    <name>PeopleFilters</name>
    <message>
        <source>Everyone</source>
        <translation>所有人</translation>
    </message>
    <message>
        <source>All groups</source>
        <translation>所有组</translation>
    </message>
</context>
<context>
    <name>PeoplePage</name>
    <message>
        <source>{count} · ⚠ made by a model not in use</source>
        <translation>{count} · ⚠ 由未使用的模型生成</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>active</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>deactivated</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>Show deactivated</source>
        <translation>显示已停用</translation>
    </message>
    <message>
        <source>Search name, external id or group</source>
        <translation>搜索姓名、外部编号或组</translation>
    </message>
    <message>
        <source>Search people</source>
        <translation>搜索人员</translation>
    </message>
    <message>
        <source>Make missing templates</source>
        <translation>生成缺少的模板</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Deactivate / reactivate</source>
        <translation>停用 / 重新启用</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>Re-enrol…</source>
        <translation>重新录入…</translation>
    </message>
    <message>
        <source>Templates…</source>
        <translation>模板…</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message numerus="yes">
        <source>%n template(s) were made by a model not in use.</source>
        <translation>
            <numerusform>%n 个模板由未使用的模型生成。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n kept face(s) lack a template of a model in use: make them from their crops.</source>
        <translation>
            <numerusform>%n 张保留的人脸缺少当前模型的模板：请用其裁剪图生成。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Made %n template(s) from kept crops; enrol again (no kept crop): {names}.</source>
        <translation>
            <numerusform>已用保留的裁剪图生成 %n 个模板；需重新录入（无保留的裁剪图）：{names}。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Made %n template(s) from kept crops.</source>
        <translation>
            <numerusform>已用保留的裁剪图生成 %n 个模板。</numerusform>
        </translation>
    </message>
    <message>
        <source>Enrol again (no kept crop): {names}.</source>
        <translation>需重新录入（无保留的裁剪图）：{names}。</translation>
    </message>
    <message>
        <source>Select a person first.</source>
        <translation>请先选择一个人。</translation>
    </message>
    <message>
        <source>Saved {name}.</source>
        <translation>已保存 {name}。</translation>
    </message>
    <message>
        <source>{name} is no longer recognised.</source>
        <translation>将不再识别 {name}。</translation>
    </message>
    <message>
        <source>{name} is recognised again.</source>
        <translation>将重新识别 {name}。</translation>
    </message>
    <message>
        <source>Delete person</source>
        <translation>删除人员</translation>
    </message>
    <message>
        <source>Delete {name} with their face templates and all their attendance records?
This cannot be undone; deactivate instead to keep the history.</source>
        <translation>删除 {name} 及其人脸模板和全部考勤记录？
此操作无法撤销；如需保留历史记录，请改为停用。</translation>
    </message>
    <message>
        <source>Deleted {name}.</source>
        <translation>已删除 {name}。</translation>
    </message>
    <message>
        <source>Making templates from the kept face crops…</source>
        <translation>正在用保留的人脸裁剪图生成模板…</translation>
    </message>
</context>
<context>
    <name>PersonDialog</name>
    <message>
        <source>Edit {name}</source>
        <translation>编辑 {name}</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>姓名：</translation>
    </message>
    <message>
        <source>External id:</source>
        <translation>外部编号：</translation>
    </message>
    <message>
        <source>Group:</source>
        <translation>组：</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <source>Choose the admin PIN</source>
        <translation>设置管理员 PIN</translation>
    </message>
    <message>
        <source>Admin PIN</source>
        <translation>管理员 PIN</translation>
    </message>
    <message>
        <source>Choose a PIN of at least {digits} digits to protect the admin area.</source>
        <translation>请设置至少 {digits} 位数字的 PIN 来保护管理区域。</translation>
    </message>
    <message>
        <source>PIN:</source>
        <translation>PIN：</translation>
    </message>
    <message>
        <source>Repeat:</source>
        <translation>再次输入：</translation>
    </message>
    <message>
        <source>The two PINs differ.</source>
        <translation>两次输入的 PIN 不一致。</translation>
    </message>
</context>
<context>
    <name>Problem</name>
    <message>
        <source>⚠ This did not work: {detail}</source>
        <translation>⚠ 操作未成功：{detail}</translation>
    </message>
</context>
<context>
    <name>RecordTable</name>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>组</translation>
    </message>
    <message>
        <source>Days present</source>
        <translation>出勤天数</translation>
    </message>
    <message>
        <source>Hours</source>
        <translation>小时</translation>
    </message>
    <message>
        <source>No check-out</source>
        <translation>未签退</translation>
    </message>
    <message>
        <source>Late</source>
        <translation>迟到</translation>
    </message>
    <message>
        <source>Absent</source>
        <translation>缺勤</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>星期</translation>
    </message>
    <message>
        <source>Working day</source>
        <translation>工作日</translation>
    </message>
    <message>
        <source>Present</source>
        <translation>出勤</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方式</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Similarity</source>
        <translation>相似度</translation>
    </message>
    <message>
        <source>Kiosk</source>
        <translation>终端</translation>
    </message>
    <message>
        <source>Correction</source>
        <translation>更正</translation>
    </message>
    <message>
        <source>First in</source>
        <translation>首次签到</translation>
    </message>
    <message>
        <source>Last out</source>
        <translation>最后签退</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Actor</source>
        <translation>操作者</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>External id</source>
        <translation>外部编号</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Templates</source>
        <translation>模板</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>最后出现</translation>
    </message>
    <message>
        <source>In since</source>
        <translation>签到时间</translation>
    </message>
    <message>
        <source>Mon</source>
        <translation>周一</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>周二</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>周三</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>周四</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>周五</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>周六</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>周日</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <source>A day without a check-out counts 0 hours and is listed under &apos;no check-out&apos;.</source>
        <translation>没有签退的一天计为 0 小时，并列入“未签退”。</translation>
    </message>
    <message>
        <source>Arrivals by time of day</source>
        <translation>按时段统计的到达</translation>
    </message>
    <message>
        <source>people-days</source>
        <translation>人·天</translation>
    </message>
    <message>
        <source>no check-ins</source>
        <translation>无签到</translation>
    </message>
    <message>
        <source>before {time}</source>
        <translation>{time} 前</translation>
    </message>
    <message>
        <source>from {time}</source>
        <translation>{time} 起</translation>
    </message>
    <message>
        <source>time of day</source>
        <translation>时段</translation>
    </message>
    <message>
        <source>Attendance per day</source>
        <translation>每日出勤</translation>
    </message>
    <message>
        <source>people present</source>
        <translation>出勤人数</translation>
    </message>
    <message>
        <source>working day</source>
        <translation>工作日</translation>
    </message>
    <message>
        <source>day off</source>
        <translation>休息日</translation>
    </message>
    <message>
        <source>Hours per person</source>
        <translation>每人工时</translation>
    </message>
    <message>
        <source>hours (first check-in to last check-out)</source>
        <translation>小时（首次签到至最后签退）</translation>
    </message>
    <message>
        <source>nobody</source>
        <translation>无人</translation>
    </message>
    <message>
        <source>Work starts {start} (late after {grace} min grace); working days {days}; holidays {holidays}.</source>
        <translation>上班时间 {start}（宽限 {grace} 分钟后算迟到）；工作日 {days}；节假日 {holidays}。</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Save report…</source>
        <translation>保存报表…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Whose last event today is a check-in:</source>
        <translation>今天最后一个事件是签到的人员：</translation>
    </message>
    <message>
        <source>Per person</source>
        <translation>按人员</translation>
    </message>
    <message>
        <source>Per day</source>
        <translation>按日期</translation>
    </message>
    <message>
        <source>Charts</source>
        <translation>图表</translation>
    </message>
    <message>
        <source>Who is in now</source>
        <translation>当前在场人员</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>组</translation>
    </message>
    <message>
        <source>⚠ The last day is before the first.</source>
        <translation>⚠ 结束日期早于开始日期。</translation>
    </message>
    <message>
        <source>{people} people, {days} days, {working} working.</source>
        <translation>{people} 人，{days} 天，其中 {working} 个工作日。</translation>
    </message>
    <message>
        <source>{count} in now</source>
        <translation>当前在场 {count} 人</translation>
    </message>
    <message>
        <source>Save report</source>
        <translation>保存报表</translation>
    </message>
    <message>
        <source>⚠ Choose a file ending in {suffixes}.</source>
        <translation>⚠ 请选择扩展名为 {suffixes} 的文件。</translation>
    </message>
    <message>
        <source>Saved the {format} report to {path} ({size} bytes).</source>
        <translation>已将 {format} 报表保存到 {path}（{size} 字节）。</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Automatic (first in, last out)</source>
        <translation>自动（首次为签到，最后为签退）</translation>
    </message>
    <message>
        <source>In and Out buttons</source>
        <translation>签到和签退按钮</translation>
    </message>
    <message numerus="yes">
        <source>In use now, with %n stored face(s): check-in needs a likeness of {attendance}, unlock {unlock}, as set above. This model cannot raise them as more people are enrolled, so the limit on strangers has no effect.</source>
        <translation>
            <numerusform>当前使用（已存储 %n 张人脸）：签到需要相似度 {attendance}，开锁需要 {unlock}，与上方设置相同。此模型无法随录入人数增加而提高这些值，因此陌生人上限不起作用。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>In use now, with %n stored face(s): check-in needs a likeness of {attendance} (the rule alone: {attendance_rule}, so that at most {target} % of a stranger&apos;s looks at the camera are taken for someone), unlock {unlock} (the rule alone: {unlock_rule}, one wrong unlock in 100,000 tries). The check-in bar rises as people are enrolled. The two numbers above are minimums: raise one to make the kiosk stricter; it never goes below the rule.</source>
        <translation>
            <numerusform>当前使用（已存储 %n 张人脸）：签到需要相似度 {attendance}（仅按规则：{attendance_rule}，使陌生人面向摄像头时被误认为他人的比例不超过 {target} %），开锁需要 {unlock}（仅按规则：{unlock_rule}，即每 100,000 次尝试误开一次）。签到门槛会随录入人数增加而提高。上方两个数值为最低值：调高其中一个可使终端更严格；实际值绝不低于规则值。</numerusform>
        </translation>
    </message>
    <message>
        <source>0, rtsp://…, a video file or a folder of images</source>
        <translation>0、rtsp://…、视频文件或图片文件夹</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <source>Video file…</source>
        <translation>视频文件…</translation>
    </message>
    <message>
        <source>Test on the enrolled people</source>
        <translation>用已录入人员测试</translation>
    </message>
    <message>
        <source>Compares every pair of enrolled photos at the check-in and unlock numbers in use: how often two different people would pass for one another, and how often one person would be missed.</source>
        <translation>按当前使用的签到和开锁数值比较每一对已录入照片：两个不同的人被认作同一人的频率，以及同一个人未被识别的频率。</translation>
    </message>
    <message>
        <source> %</source>
        <translation> %</translation>
    </message>
    <message>
        <source> frames</source>
        <translation> 帧</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source> px</source>
        <translation> 像素</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <source> h</source>
        <translation> 小时</translation>
    </message>
    <message>
        <source>mon tue wed thu fri</source>
        <translation>mon tue wed thu fri</translation>
    </message>
    <message>
        <source>Keep the enrolment photos&apos; faces (encrypted), so a new model needs no re-enrolment</source>
        <translation>保留录入照片中的人脸（加密），更换模型时无需重新录入</translation>
    </message>
    <message>
        <source>Refuse photos and screens held to the camera</source>
        <translation>拒绝对着摄像头展示的照片和屏幕</translation>
    </message>
    <message>
        <source>Calibrate liveness…</source>
        <translation>校准活体检测…</translation>
    </message>
    <message>
        <source>Unlock asks for a head turn (left or right, at random)</source>
        <translation>开锁时要求转头（随机向左或向右）</translation>
    </message>
    <message>
        <source>Double-check every recognition with the second, stronger model</source>
        <translation>用第二个更强的模型复核每次识别</translation>
    </message>
    <message>
        <source>Standard</source>
        <translation>标准</translation>
    </message>
    <message>
        <source>High contrast (black, white and yellow)</source>
        <translation>高对比度（黑、白、黄）</translation>
    </message>
    <message>
        <source>A chime on each check-in, a low tone when a photo or screen is refused</source>
        <translation>每次签到时响铃，拒绝照片或屏幕时发出低音</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Source:</source>
        <translation>来源：</translation>
    </message>
    <message>
        <source>Smallest face:</source>
        <translation>最小人脸：</translation>
    </message>
    <message>
        <source>faces smaller than this in the picture are ignored</source>
        <translation>画面中小于此尺寸的人脸将被忽略</translation>
    </message>
    <message>
        <source>This kiosk</source>
        <translation>本终端</translation>
    </message>
    <message>
        <source>Ignore repeats for:</source>
        <translation>忽略重复：</translation>
    </message>
    <message>
        <source>after a check-in or check-out, the same person is not recorded again for this long</source>
        <translation>签到或签退后，在此时长内不再记录同一人</translation>
    </message>
    <message>
        <source>Kiosk name:</source>
        <translation>终端名称：</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>applies when FaceGate next starts</source>
        <translation>下次启动 FaceGate 时生效</translation>
    </message>
    <message>
        <source>Enrolment photos:</source>
        <translation>录入照片：</translation>
    </message>
    <message>
        <source>Admin logs out after:</source>
        <translation>管理自动退出时间：</translation>
    </message>
    <message>
        <source>without a key press, click or touch</source>
        <translation>无按键、点击或触摸时</translation>
    </message>
    <message>
        <source>Check-in and check-out</source>
        <translation>签到与签退</translation>
    </message>
    <message>
        <source>How:</source>
        <translation>方式：</translation>
    </message>
    <message>
        <source>Check-out no sooner than:</source>
        <translation>最早签退时间：</translation>
    </message>
    <message>
        <source>after the check-in: walking past again earlier records nothing</source>
        <translation>签到之后：在此之前再次经过不会记录任何内容</translation>
    </message>
    <message>
        <source>A shift lasts up to:</source>
        <translation>班次最长：</translation>
    </message>
    <message>
        <source>a night shift belongs to the day it began; 0: every day starts at midnight</source>
        <translation>夜班归属于其开始的那一天；0：每天从午夜开始</translation>
    </message>
    <message>
        <source>Working days (for reports)</source>
        <translation>工作日（用于报表）</translation>
    </message>
    <message>
        <source>Work starts at:</source>
        <translation>上班时间：</translation>
    </message>
    <message>
        <source>HH:MM; a later first check-in is late</source>
        <translation>HH:MM；晚于此时间的首次签到算迟到</translation>
    </message>
    <message>
        <source>Late after:</source>
        <translation>迟到宽限：</translation>
    </message>
    <message>
        <source>minutes of grace after the start</source>
        <translation>上班后的宽限分钟数</translation>
    </message>
    <message>
        <source>Working days:</source>
        <translation>工作日：</translation>
    </message>
    <message>
        <source>Holidays:</source>
        <translation>节假日：</translation>
    </message>
    <message>
        <source>Photos and screens</source>
        <translation>照片和屏幕</translation>
    </message>
    <message>
        <source>Liveness:</source>
        <translation>活体检测：</translation>
    </message>
    <message>
        <source>Strictness:</source>
        <translation>严格度：</translation>
    </message>
    <message>
        <source>fit the threshold to this camera&apos;s live faces</source>
        <translation>根据此摄像头下的真人人脸调整阈值</translation>
    </message>
    <message>
        <source>Unlock:</source>
        <translation>开锁：</translation>
    </message>
    <message>
        <source>Recognition:</source>
        <translation>识别：</translation>
    </message>
    <message>
        <source>Accessibility</source>
        <translation>无障碍</translation>
    </message>
    <message>
        <source>Screens:</source>
        <translation>屏幕：</translation>
    </message>
    <message>
        <source>Sounds:</source>
        <translation>声音：</translation>
    </message>
    <message>
        <source>Advanced: recognition numbers</source>
        <translation>高级：识别参数</translation>
    </message>
    <message>
        <source>Check-in likeness, at least:</source>
        <translation>签到相似度下限：</translation>
    </message>
    <message>
        <source>how alike a face must be to an enrolled one to check in: higher means fewer mix-ups, more misses</source>
        <translation>人脸须与已录入人脸多相似才能签到：越高，混淆越少，漏识越多</translation>
    </message>
    <message>
        <source>Unlock likeness, at least:</source>
        <translation>开锁相似度下限：</translation>
    </message>
    <message>
        <source>higher than check-in, since a mix-up here opens the door</source>
        <translation>应高于签到，因为此处的混淆会打开门</translation>
    </message>
    <message>
        <source>Strangers taken for someone:</source>
        <translation>陌生人被误认比例：</translation>
    </message>
    <message>
        <source>at most this share of a stranger&apos;s looks, however many are enrolled</source>
        <translation>无论录入多少人，陌生人的画面最多有此比例被误认</translation>
    </message>
    <message>
        <source>Confirm after:</source>
        <translation>确认所需：</translation>
    </message>
    <message>
        <source>the same person in this many frames in a row before anything is recorded</source>
        <translation>同一人须连续出现这么多帧才会记录</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Change admin PIN…</source>
        <translation>更改管理员 PIN…</translation>
    </message>
    <message>
        <source>Unsaved settings</source>
        <translation>未保存的设置</translation>
    </message>
    <message>
        <source>The settings have changes that are not saved.</source>
        <translation>设置中有未保存的更改。</translation>
    </message>
    <message>
        <source>Keep editing</source>
        <translation>继续编辑</translation>
    </message>
    <message>
        <source>⚠ Unsaved changes: Save them, or leave the page to discard them.</source>
        <translation>⚠ 有未保存的更改：请保存，或离开此页以放弃更改。</translation>
    </message>
    <message>
        <source>Playing now: {source} (chosen when the app was started). Saving a different source here switches to it.</source>
        <translation>正在播放：{source}（启动应用时选定）。在此保存其他来源即可切换过去。</translation>
    </message>
    <message>
        <source>⚠ Not saved: see the camera source above.</source>
        <translation>⚠ 未保存：请查看上方的摄像头来源。</translation>
    </message>
    <message>
        <source>⚠ Not saved: {problem}</source>
        <translation>⚠ 未保存：{problem}</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>Folder of images to play as a camera</source>
        <translation>作为摄像头播放的图片文件夹</translation>
    </message>
    <message>
        <source>Video file to play as a camera</source>
        <translation>作为摄像头播放的视频文件</translation>
    </message>
    <message>
        <source>Attendance</source>
        <translation>考勤</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>开锁</translation>
    </message>
    <message>
        <source>Comparing every pair of enrolled templates…</source>
        <translation>正在比较每一对已录入的模板…</translation>
    </message>
    <message>
        <source>The calibrated liveness threshold was saved.</source>
        <translation>校准后的活体检测阈值已保存。</translation>
    </message>
    <message>
        <source>The admin PIN was changed.</source>
        <translation>管理员 PIN 已更改。</translation>
    </message>
</context>
<context>
    <name>Strictness</name>
    <message>
        <source>lenient</source>
        <translation>宽松</translation>
    </message>
    <message>
        <source>normal</source>
        <translation>普通</translation>
    </message>
    <message>
        <source>strict</source>
        <translation>严格</translation>
    </message>
</context>
<context>
    <name>SystemPage</name>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>About this kiosk</source>
        <translation>关于本终端</translation>
    </message>
    <message>
        <source>Camera:</source>
        <translation>摄像头：</translation>
    </message>
    <message>
        <source>Speed:</source>
        <translation>速度：</translation>
    </message>
    <message>
        <source>Models:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Thresholds:</source>
        <translation>阈值：</translation>
    </message>
    <message>
        <source>Templates:</source>
        <translation>模板：</translation>
    </message>
    <message>
        <source>Last problem:</source>
        <translation>最近的问题：</translation>
    </message>
    <message>
        <source>unknown ({problem})</source>
        <translation>未知（{problem}）</translation>
    </message>
    <message numerus="yes">
        <source>%n template(s) of the model in use</source>
        <translation>
            <numerusform>当前模型的模板 %n 个</numerusform>
        </translation>
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
    <name>TemplatesDialog</name>
    <message>
        <source>Templates of {name}</source>
        <translation>{name} 的模板</translation>
    </message>
    <message>
        <source>Face</source>
        <translation>人脸</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>no crop</source>
        <translation>无裁剪图</translation>
    </message>
    <message>
        <source>Select a template first.</source>
        <translation>请先选择一个模板。</translation>
    </message>
    <message>
        <source>Removed {templates}; the attendance history is kept.</source>
        <translation>已删除 {templates}；考勤记录保留。</translation>
    </message>
</context>
<context>
    <name>ThresholdCalibration</name>
    <message>
        <source>at {threshold}: false accepts {accepts}{sep}false rejects {rejects}</source>
        <translation>阈值 {threshold}：误识 {accepts}{sep}误拒 {rejects}</translation>
    </message>
    <message>
        <source>no impostor pairs to measure</source>
        <translation>没有可测量的异人配对</translation>
    </message>
    <message>
        <source>too few to judge ({wrong} of {total} impostor pairs, {needed} needed)</source>
        <translation>太少，无法判断（{total} 个异人配对中 {wrong} 个，需要 {needed} 个）</translation>
    </message>
    <message>
        <source>{percent}% ({wrong} of {total} impostor pairs)</source>
        <translation>{percent}%（{total} 个异人配对中 {wrong} 个）</translation>
    </message>
    <message>
        <source>no genuine pairs to measure</source>
        <translation>没有可测量的同人配对</translation>
    </message>
    <message>
        <source>too few to judge ({wrong} of {total} genuine pairs, {needed} needed)</source>
        <translation>太少，无法判断（{total} 个同人配对中 {wrong} 个，需要 {needed} 个）</translation>
    </message>
    <message>
        <source>{percent}% ({wrong} of {total} genuine pairs)</source>
        <translation>{percent}%（{total} 个同人配对中 {wrong} 个）</translation>
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
    <message>
        <source>Camera picture</source>
        <translation>摄像头画面</translation>
    </message>
    <message>
        <source>The live camera, with a box and a name over each face; what happened is said in the banner above it</source>
        <translation>实时摄像头画面，每张人脸上有方框和姓名；发生的事情显示在上方的横幅中</translation>
    </message>
</context>
<context>
    <name>record_view</name>
    <message>
        <source>Table: {columns}</source>
        <translation>表格：{columns}</translation>
    </message>
</context>
</TS>
