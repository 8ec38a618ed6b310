package remind

// ReminderNoticeAt is reminderNotice for the external tests: a reminder
// the sweep fired at one moment and the dispatcher delivers at another.
var ReminderNoticeAt = reminderNotice
