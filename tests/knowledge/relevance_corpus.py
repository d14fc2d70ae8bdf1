"""A fixed help center (twelve topics in English, Arabic and Persian) and twenty questions asked the way
customers ask them, each with the topics that answer it. Used by test_relevance.py (docs/knowledge-base.md).
"""

# topic -> {language: (title, body)}
TOPICS = {
    "password": {
        "en": (
            "Reset your password",
            "If you forgot your password, click “Forgot password?” on the sign-in page. "
            "We email you a link to choose a new password. The link expires after one hour.",
        ),
        "ar": (
            "إعادة تعيين كلمة المرور",
            "إذا نسيت كلمة المرور، اضغط على «نسيت كلمة المرور؟» في صفحة تسجيل "
            "الدخول. سنرسل إليك رابطًا لاختيار كلمة مرور جديدة. تنتهي صلاحية الرابط بعد ساعة.",
        ),
        "fa": (
            "بازنشانی رمز عبور",
            "اگر رمز عبور خود را فراموش کرده‌اید، در صفحهٔ ورود روی «فراموشی رمز عبور» "
            "بزنید. پیوندی برای انتخاب رمز جدید برایتان ایمیل می‌کنیم. پیوند پس از یک ساعت باطل می‌شود.",
        ),
    },
    "two_factor": {
        "en": (
            "Turn on two-factor authentication",
            "Protect your account with a second step at sign-in. Open "
            "Settings › Security, choose Two-factor authentication and scan the QR code with an "
            "authenticator app. Keep the backup codes somewhere safe.",
        ),
        "ar": (
            "تفعيل المصادقة الثنائية",
            "احمِ حسابك بخطوة ثانية عند تسجيل الدخول. افتح الإعدادات ثم الأمان، "
            "واختر المصادقة الثنائية وامسح رمز QR بتطبيق المصادقة. احتفظ برموز الاسترداد في مكان آمن.",
        ),
        "fa": (
            "فعال‌سازی ورود دومرحله‌ای",
            "با یک مرحلهٔ دوم هنگام ورود از حساب خود محافظت کنید. به تنظیمات › "
            "امنیت بروید، ورود دومرحله‌ای را انتخاب کنید و کد QR را با برنامهٔ احراز هویت اسکن کنید.",
        ),
    },
    "email": {
        "en": (
            "Change the email address of your account",
            "Go to Profile, type the new address and confirm it "
            "from the message we send there. Until you confirm, we keep writing to the old address.",
        ),
        "ar": (
            "تغيير البريد الإلكتروني لحسابك",
            "اذهب إلى الملف الشخصي واكتب العنوان الجديد ثم أكّده من "
            "الرسالة التي نرسلها إليه. حتى تؤكده نواصل المراسلة على العنوان القديم.",
        ),
        "fa": (
            "تغییر نشانی ایمیل حساب",
            "به نمایه بروید، نشانی جدید را بنویسید و آن را از پیامی که به آن "
            "می‌فرستیم تأیید کنید. تا تأیید نکنید به نشانی قبلی می‌نویسیم.",
        ),
    },
    "invoices": {
        "en": (
            "Download your invoices",
            "Every invoice is in Billing › Invoices. Click an invoice to download it "
            "as a PDF. Invoices are issued on the first day of each month.",
        ),
        "ar": (
            "تنزيل الفواتير",
            "كل الفواتير موجودة في الفوترة ثم الفواتير. اضغط على الفاتورة لتنزيلها بصيغة "
            "PDF. تصدر الفواتير في اليوم الأول من كل شهر.",
        ),
        "fa": (
            "دریافت فاکتورها",
            "همهٔ فاکتورها در صورت‌حساب › فاکتورها هستند. روی هر فاکتور بزنید تا فایل "
            "PDF آن دانلود شود. فاکتورها روز اول هر ماه صادر می‌شوند.",
        ),
    },
    "payment": {
        "en": (
            "Update your payment method",
            "To change the credit card we charge, open Billing › Payment method "
            "and add the new card. The old card is removed after the next successful payment.",
        ),
        "ar": (
            "تحديث طريقة الدفع",
            "لتغيير البطاقة الائتمانية التي نخصم منها، افتح الفوترة ثم طريقة الدفع "
            "وأضف البطاقة الجديدة. تحذف البطاقة القديمة بعد الدفعة الناجحة التالية.",
        ),
        "fa": (
            "به‌روزرسانی روش پرداخت",
            "برای تغییر کارت بانکی، صورت‌حساب › روش پرداخت را باز کنید و کارت "
            "جدید را اضافه کنید. کارت قبلی پس از پرداخت موفق بعدی حذف می‌شود.",
        ),
    },
    "cancel": {
        "en": (
            "Cancel your subscription",
            "You can cancel at any time in Billing › Plan. Your plan stays active "
            "until the end of the paid period; we do not charge you again.",
        ),
        "ar": (
            "إلغاء الاشتراك",
            "يمكنك إلغاء اشتراكك في أي وقت من الفوترة ثم الخطة. تبقى خطتك فعالة حتى نهاية "
            "الفترة المدفوعة ولن نخصم منك مرة أخرى.",
        ),
        "fa": (
            "لغو اشتراک",
            "هر زمان بخواهید می‌توانید اشتراک خود را از صورت‌حساب › طرح لغو کنید. طرح تا پایان "
            "دورهٔ پرداخت‌شده فعال می‌ماند.",
        ),
    },
    "refund": {
        "en": (
            "Ask for a refund",
            "If you were charged by mistake, we refund the payment within 14 days of the "
            "charge. Write to us with the invoice number and the reason.",
        ),
        "ar": (
            "طلب استرداد المبلغ",
            "إذا خُصم منك مبلغ عن طريق الخطأ، نعيد المبلغ خلال 14 يومًا من الخصم. راسلنا برقم الفاتورة والسبب.",
        ),
        "fa": (
            "درخواست بازپرداخت وجه",
            "اگر به اشتباه از شما پول کسر شده، ظرف ۱۴ روز مبلغ را بازمی‌گردانیم. "
            "شمارهٔ فاکتور و دلیل را برای ما بنویسید.",
        ),
    },
    "export": {
        "en": (
            "Export your data to CSV",
            "Reports › Export creates a CSV file of your contacts and reports. "
            "Large exports are emailed to you when they are ready.",
        ),
        "ar": (
            "تصدير بياناتك إلى ملف CSV",
            "التقارير ثم التصدير ينشئ ملف CSV لجهات الاتصال والتقارير. "
            "التصديرات الكبيرة ترسل إليك بالبريد عند جاهزيتها.",
        ),
        "fa": (
            "خروجی گرفتن از داده‌ها به CSV",
            "گزارش‌ها › خروجی یک فایل CSV از مخاطبان و گزارش‌ها می‌سازد. "
            "خروجی‌های بزرگ وقتی آماده شد ایمیل می‌شوند.",
        ),
    },
    "team": {
        "en": (
            "Invite team members",
            "Admins invite colleagues from Settings › Team: enter their email "
            "addresses and choose a role. Each invitation link works for seven days.",
        ),
        "ar": (
            "دعوة أعضاء الفريق",
            "يدعو المسؤولون زملاءهم من الإعدادات ثم الفريق: أدخل عناوين بريدهم واختر "
            "الدور. يعمل رابط الدعوة سبعة أيام.",
        ),
        "fa": (
            "دعوت از اعضای تیم",
            "مدیران همکاران را از تنظیمات › تیم دعوت می‌کنند: نشانی ایمیل را وارد و "
            "نقش را انتخاب کنید. هر پیوند دعوت هفت روز کار می‌کند.",
        ),
    },
    "mobile": {
        "en": (
            "Install the mobile app",
            "The app for iPhone and Android is in the App Store and Google Play. "
            "Sign in with the same email and password as on the web.",
        ),
        "ar": (
            "تثبيت تطبيق الجوال",
            "التطبيق متوفر لأجهزة آيفون وأندرويد في App Store وGoogle Play. سجّل "
            "الدخول بنفس البريد وكلمة المرور.",
        ),
        "fa": (
            "نصب برنامهٔ موبایل",
            "برنامه برای آیفون و اندروید در اپ‌استور و گوگل‌پلی هست. با همان ایمیل و رمز عبور وارد شوید.",
        ),
    },
    "domain": {
        "en": (
            "Connect your own domain",
            "Add a CNAME record at your DNS provider pointing to help.acme.example, "
            "then enter the domain in Settings › Domain. Certificates are issued automatically.",
        ),
        "ar": (
            "ربط نطاقك الخاص",
            "أضف سجل CNAME لدى مزود DNS ثم أدخل النطاق في الإعدادات. تصدر الشهادات تلقائيًا.",
        ),
        "fa": (
            "اتصال دامنهٔ اختصاصی",
            "یک رکورد CNAME نزد سرویس DNS بسازید و دامنه را در تنظیمات › دامنه "
            "وارد کنید. گواهی‌ها خودکار صادر می‌شوند.",
        ),
    },
    "delete": {
        "en": (
            "Delete your account",
            "Deleting an account removes all its data for good after 30 days. Open "
            "Profile › Delete account and confirm with your password.",
        ),
        "ar": (
            "حذف حسابك",
            "حذف الحساب يزيل كل بياناته نهائيًا بعد 30 يومًا. افتح الملف الشخصي ثم حذف الحساب "
            "وأكّد بكلمة المرور.",
        ),
        "fa": (
            "حذف حساب کاربری",
            "حذف حساب همهٔ داده‌ها را پس از ۳۰ روز برای همیشه پاک می‌کند. نمایه › حذف "
            "حساب را باز کنید و با رمز عبور تأیید کنید.",
        ),
    },
}

# (language, question, topics that answer it)
QUERIES = [
    ("en", "I forgot my password", {"password"}),
    ("en", "how do I get a PDF of my invoice", {"invoices"}),
    ("en", "I was charged twice and want my money back", {"refund"}),
    ("en", "change credit card", {"payment"}),
    ("en", "stop my subscription", {"cancel"}),
    ("en", "add colleagues to my team", {"team"}),
    ("en", "is there an iphone app", {"mobile"}),
    ("en", "two factor authentication", {"two_factor"}),
    ("en", "billing", {"invoices", "payment", "cancel"}),
    ("ar", "نسيت كلمة المرور", {"password"}),
    ("ar", "كيف الغي الاشتراك", {"cancel"}),
    ("ar", "تنزيل فاتوره", {"invoices"}),
    ("ar", "استرداد المبلغ", {"refund"}),
    ("ar", "تغيير البريد الالكتروني", {"email"}),
    ("ar", "حذف الحساب نهائيا", {"delete"}),
    ("fa", "رمز عبورم را فراموش کردم", {"password"}),
    ("fa", "دانلود فاکتور", {"invoices"}),
    ("fa", "لغو اشتراك", {"cancel"}),  # written with the Arabic kaf
    ("fa", "اضافه کردن همکار به تیم", {"team"}),
    ("fa", "ورود دو مرحله ای", {"two_factor"}),  # written with spaces instead of the half-space
]
