# ruff: noqa: E501  (prose: sentences are kept whole rather than wrapped mid-phrase)
"""What the demo's customers write and what its agents answer, written natively in English, Arabic and Persian.

The fictional company sells an online shop and invoicing service (dashboard, API, mobile app, subscriptions),
so the requests are the everyday ones of a software business: sign-in trouble, double charges, invoices,
exports that garble Arabic letters, webhooks that stopped. `bench/` may reuse these texts for its generator.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("en", "ar", "fa")


@dataclass(frozen=True)
class Texts:
    subjects: tuple[str, ...]
    bodies: tuple[str, ...]
    replies: tuple[str, ...]  # the agent's first public answer (greeting and signature are added)
    notes: tuple[str, ...]  # internal notes between agents


@dataclass(frozen=True)
class Topic:
    key: str
    team: str  # the team that owns this kind of request
    tags: tuple[str, ...]
    priorities: tuple[int, ...]  # drawn at random: 1 low, 2 normal, 3 high, 4 urgent
    texts: dict[str, Texts]
    attachment: str = ""  # a small file the customer attaches now and then


GREETING = {
    "en": "Hi {first},\n\n{text}\n\nBest regards,\n{agent}",
    "ar": "مرحباً {first}،\n\n{text}\n\nمع أطيب التحيات،\n{agent}",
    "fa": "{first} عزیز، سلام\n\n{text}\n\nبا احترام،\n{agent}",
}

SIGNATURE = {
    "en": "{text}\n\nThanks,\n{name}",
    "ar": "{text}\n\nشكراً لكم،\n{name}",
    "fa": "{text}\n\nممنون،\n{name}",
}

# The customer's answer to the first reply.
FOLLOW_UPS = {
    "en": (
        "Thanks for the quick answer. I tried that but it still happens — anything else I can check?",
        "That worked, thank you! One more question: will this happen again next month?",
        "I've attached the details you asked for. Let me know if you need anything else.",
        "Sorry for the late reply, I was travelling. Yes, the problem is still there.",
        "Perfect, that solved it. Thanks for your help!",
    ),
    "ar": (
        "شكراً على الرد السريع. جربت ما اقترحتموه لكن المشكلة ما زالت قائمة، هل هناك شيء آخر أتحقق منه؟",
        "نجح الحل، شكراً جزيلاً! سؤال أخير: هل ستتكرر المشكلة الشهر القادم؟",
        "أرسلت لكم التفاصيل التي طلبتموها. أخبروني إن احتجتم إلى أي شيء آخر.",
        "أعتذر عن التأخر في الرد، كنت مسافراً. نعم، المشكلة ما زالت موجودة.",
        "ممتاز، تم حل المشكلة. شكراً على مساعدتكم!",
    ),
    "fa": (
        "ممنون از پاسخ سریع‌تان. همین کار را کردم ولی مشکل هنوز هست؛ چیز دیگری هست که بررسی کنم؟",
        "درست شد، خیلی ممنون! فقط یک سؤال: ماه بعد دوباره این اتفاق می‌افتد؟",
        "اطلاعاتی را که خواسته بودید فرستادم. اگر چیز دیگری لازم است بفرمایید.",
        "ببخشید که دیر جواب دادم، در سفر بودم. بله، مشکل هنوز برطرف نشده.",
        "عالی، مشکل حل شد. از کمک‌تان ممنونم!",
    ),
}

# The agent's last answer, when the ticket is solved.
CLOSINGS = {
    "en": (
        "Glad to hear it's sorted. I'll mark this request as solved; just reply if anything comes up again.",
        "Thanks for confirming. The fix is now live for your whole account, so you shouldn't see this again.",
        "Happy to help! I'm closing this one, but you can reopen it any time by replying.",
    ),
    "ar": (
        "يسعدنا أن المشكلة حُلّت. سأغلق هذا الطلب، ويمكنكم الرد في أي وقت إن عادت المشكلة.",
        "شكراً على التأكيد. الإصلاح مفعّل الآن على حسابكم بالكامل، فلن تظهر المشكلة مجدداً.",
        "سعدنا بخدمتكم! سأعتبر الطلب محلولاً، ويمكنكم إعادة فتحه بالرد على هذه الرسالة.",
    ),
    "fa": (
        "خوشحالیم که مشکل برطرف شد. این درخواست را حل‌شده علامت می‌زنم؛ اگر دوباره پیش آمد کافی است پاسخ دهید.",
        "ممنون که اطلاع دادید. اصلاحیه روی کل حساب‌تان اعمال شده و دیگر نباید این مشکل را ببینید.",
        "خوشحال شدیم که کمک کردیم! این درخواست را می‌بندم، ولی با پاسخ به همین پیام دوباره باز می‌شود.",
    ),
}

ESCALATION_NOTES = {
    "en": "Looks like a bug on our side, not a setup problem. Moving this to Engineering with the details above.",
    "ar": "يبدو أنها مشكلة برمجية لدينا وليست في إعدادات العميل. سأحوّل التذكرة إلى فريق الهندسة مع التفاصيل.",
    "fa": "به نظر می‌رسد باگ سمت ماست، نه مشکل تنظیمات. تیکت را با جزئیات به تیم فنی ارجاع می‌دهم.",
}

ON_HOLD_NOTES = {
    "en": "Waiting for the payment provider to confirm; putting this on hold until they answer.",
    "ar": "بانتظار تأكيد مزوّد الدفع؛ سأعلّق التذكرة حتى يصلنا ردهم.",
    "fa": "منتظر تأیید درگاه پرداخت هستیم؛ تا پاسخ آن‌ها تیکت را در حالت انتظار می‌گذارم.",
}

# What customers write beside a CSAT rating (3 good, 2 okay, 1 bad) and an NPS answer, in their own language.
CSAT_COMMENTS = {
    3: {
        "en": (
            "Quick and friendly, thank you!",
            "Sorted in one reply. Exactly what I needed.",
            "Very clear explanation, thanks for the screenshots.",
        ),
        "ar": (
            "شكراً جزيلاً، كان الرد سريعاً وواضحاً.",
            "خدمة ممتازة، حُلّت المشكلة من أول رد.",
            "شرح واضح جداً، شكراً على الصبر.",
        ),
        "fa": (
            "خیلی ممنون، پاسخ سریع و دقیق بود.",
            "عالی بود، مشکلم با همان پاسخ اول حل شد.",
            "توضیح خیلی روشنی بود، از حوصله‌تان ممنونم.",
        ),
    },
    2: {
        "en": ("Fixed in the end, but it took a few days.", "OK, though I had to explain the problem twice."),
        "ar": ("حُلّت المشكلة في النهاية، لكن استغرق ذلك أياماً.", "جيد، لكن اضطررت لشرح المشكلة مرتين."),
        "fa": ("بالاخره حل شد، ولی چند روز طول کشید.", "خوب بود، اما مجبور شدم مشکل را دو بار توضیح بدهم."),
    },
    1: {
        "en": (
            "Nobody answered my actual question.",
            "It still doesn't work and the request was closed anyway.",
        ),
        "ar": ("لم يُجب أحد على سؤالي الفعلي.", "المشكلة ما زالت قائمة ومع ذلك أُغلق الطلب."),
        "fa": ("کسی به سؤال اصلی من جواب نداد.", "هنوز درست کار نمی‌کند ولی درخواست بسته شد."),
    },
}

NPS_COMMENTS = {
    "promoter": {
        "en": "Your support team is the reason we stay with you.",
        "ar": "فريق الدعم لديكم هو سبب بقائنا معكم.",
        "fa": "تیم پشتیبانی شما دلیل اصلی ماندن ما است.",
    },
    "passive": {
        "en": "Good product; the invoicing screens could be simpler.",
        "ar": "منتج جيد، لكن شاشات الفواتير تحتاج إلى تبسيط.",
        "fa": "محصول خوبی است، ولی صفحه‌های فاکتور می‌توانند ساده‌تر باشند.",
    },
    "detractor": {
        "en": "Too many problems with payments this quarter.",
        "ar": "مشاكل كثيرة في المدفوعات خلال هذا الربع.",
        "fa": "این فصل مشکلات پرداخت خیلی زیاد بود.",
    },
}

ATTACHMENTS = {
    "app-log.txt": (
        "2024-05-12T09:14:03Z ERROR orders.sync: upstream returned 500 (request id 7f3a9c21)\n"
        "2024-05-12T09:14:04Z WARN  orders.sync: retrying in 30s (attempt 2 of 5)\n"
        "2024-05-12T09:14:34Z ERROR orders.sync: upstream returned 500 (request id 7f3a9c88)\n"
    ),
    "export-sample.csv": "order_id,customer,city\n10231,Ø£Ø­Ù…Ø¯,Ø§Ù„Ø±ÙŠØ§Ø¶\n10232,Ø³Ø§Ø±Ø©,Ø¬Ø¯Ø©\n",
    "crash-report.txt": (
        "App version 5.2.0 (build 5203), Android 14\n"
        "FATAL EXCEPTION: main\njava.lang.IllegalStateException: session store not initialised\n"
        "    at com.example.shop.auth.SessionStore.get(SessionStore.kt:41)\n"
    ),
}

S, B, E = "Support", "Billing", "Engineering"

TOPICS: tuple[Topic, ...] = (
    Topic(
        "login",
        S,
        ("login", "account"),
        (2, 2, 3),
        {
            "en": Texts(
                (
                    "I can't log in to my account",
                    "Login keeps saying my password is wrong",
                    "Locked out of the dashboard since this morning",
                ),
                (
                    "Since this morning I can't sign in. The page just says my email or password is wrong, but I "
                    "haven't changed anything and the same password works in my password manager.",
                    "Every time I try to log in I'm sent back to the sign-in page without any error. I've cleared "
                    "my cookies and tried another browser, same thing.",
                ),
                (
                    "Sorry about the trouble. After several failed attempts the account is locked for 15 minutes "
                    "as a protection. I've lifted the lock now — could you try again and use “Email me a sign-in "
                    "link” if the password still isn't accepted?",
                ),
                (
                    "Checked the sign-in log: five failures from two IPs, lock lifted. No sign of abuse.",
                    "Customer uses an old bookmark to /login.php; told them the new address.",
                ),
            ),
            "ar": Texts(
                (
                    "لا أستطيع تسجيل الدخول إلى حسابي",
                    "تظهر رسالة أن كلمة المرور خاطئة مع أنها صحيحة",
                    "لا يمكنني الدخول إلى لوحة التحكم منذ الصباح",
                ),
                (
                    "منذ صباح اليوم لا أستطيع تسجيل الدخول. تظهر رسالة أن البريد الإلكتروني أو كلمة المرور غير "
                    "صحيحة، مع أنني لم أغيّر شيئاً.",
                    "كلما حاولت تسجيل الدخول تعيدني الصفحة إلى شاشة الدخول دون أي رسالة خطأ. مسحت ملفات تعريف "
                    "الارتباط وجربت متصفحاً آخر والنتيجة نفسها.",
                ),
                (
                    "نعتذر عن الإزعاج. بعد عدة محاولات فاشلة يُقفل الحساب مؤقتاً لمدة ١٥ دقيقة لحمايته. لقد أزلت "
                    "القفل الآن، فهل يمكنك المحاولة مجدداً؟ وإن لم تُقبل كلمة المرور فاستخدم خيار «أرسل لي رابط "
                    "الدخول».",
                ),
                (
                    "راجعت سجل الدخول: خمس محاولات فاشلة من عنوانين مختلفين، وأزلت القفل. لا يوجد ما يدل على "
                    "اختراق.",
                ),
            ),
            "fa": Texts(
                (
                    "نمی‌توانم وارد حسابم شوم",
                    "هنگام ورود می‌گوید رمز عبور اشتباه است",
                    "از صبح به داشبورد دسترسی ندارم",
                ),
                (
                    "از امروز صبح نمی‌توانم وارد حسابم شوم. پیغام می‌دهد ایمیل یا رمز عبور اشتباه است، در حالی که "
                    "هیچ چیزی را تغییر نداده‌ام.",
                    "هر بار که وارد می‌شوم دوباره به صفحهٔ ورود برمی‌گردم و هیچ خطایی هم نمی‌بینم. کوکی‌ها را پاک "
                    "کردم و مرورگر دیگری را هم امتحان کردم، باز همین‌طور است.",
                ),
                (
                    "بابت این مشکل عذرخواهی می‌کنیم. بعد از چند تلاش ناموفق، حساب برای حفاظت ۱۵ دقیقه قفل می‌شود. "
                    "قفل را برداشتم؛ لطفاً دوباره امتحان کنید و اگر رمز پذیرفته نشد، گزینهٔ «ارسال لینک ورود» را "
                    "بزنید.",
                ),
                (
                    "سوابق ورود را دیدم: پنج تلاش ناموفق از دو آی‌پی. قفل برداشته شد، نشانه‌ای از سوءاستفاده نیست.",
                ),
            ),
        },
    ),
    Topic(
        "password_reset",
        S,
        ("password", "account"),
        (2,),
        {
            "en": Texts(
                ("Password reset email never arrives", "Reset link says it has expired"),
                (
                    "I asked for a password reset three times in the last hour and nothing has arrived, not even "
                    "in spam. Can you check whether the emails are being sent?",
                    "I clicked the reset link a minute after getting it and it says the link has expired.",
                ),
                (
                    "Thanks for letting us know. Our mail log shows the messages were rejected by your company's "
                    "mail filter. Could you ask your IT team to allow mail from our domain? In the meantime I've "
                    "sent you a one-time sign-in link from a different sender.",
                ),
                ("Bounce reason: 550 policy rejection at the customer's gateway. Not on our side.",),
            ),
            "ar": Texts(
                ("لا تصلني رسالة إعادة تعيين كلمة المرور", "رابط إعادة التعيين يقول إنه منتهي الصلاحية"),
                (
                    "طلبت إعادة تعيين كلمة المرور ثلاث مرات خلال الساعة الماضية ولم تصلني أي رسالة، حتى في مجلد "
                    "الرسائل غير المرغوب فيها.",
                    "ضغطت على رابط إعادة التعيين بعد دقيقة من وصوله فظهرت رسالة أن الرابط منتهي الصلاحية.",
                ),
                (
                    "شكراً لإبلاغنا. يُظهر سجل البريد لدينا أن الرسائل رُفضت من مرشّح البريد في شركتكم. هل يمكنكم "
                    "أن تطلبوا من فريق تقنية المعلومات السماح برسائل نطاقنا؟ وفي الأثناء أرسلت لكم رابط دخول لمرة "
                    "واحدة من عنوان آخر.",
                ),
                ("سبب الارتداد: رفض ٥٥٠ من بوابة بريد العميل. المشكلة ليست لدينا.",),
            ),
            "fa": Texts(
                ("ایمیل بازیابی رمز عبور به دستم نمی‌رسد", "لینک بازیابی رمز می‌گوید منقضی شده"),
                (
                    "در یک ساعت گذشته سه بار درخواست بازیابی رمز دادم ولی هیچ ایمیلی نیامد، حتی در پوشهٔ هرزنامه.",
                    "یک دقیقه بعد از دریافت، روی لینک بازیابی کلیک کردم و نوشت لینک منقضی شده است.",
                ),
                (
                    "ممنون که خبر دادید. طبق گزارش سرور ایمیل، پیام‌ها توسط فیلتر ایمیل شرکت شما رد شده‌اند. لطفاً "
                    "از واحد فناوری اطلاعات بخواهید ایمیل‌های دامنهٔ ما را مجاز کنند. فعلاً یک لینک ورود یک‌بارمصرف "
                    "از نشانی دیگری برایتان فرستادم.",
                ),
                ("دلیل برگشت: خطای ۵۵۰ در درگاه ایمیل مشتری. مشکل از سمت ما نیست.",),
            ),
        },
    ),
    Topic(
        "two_factor",
        S,
        ("2fa", "account"),
        (3, 3, 2),
        {
            "en": Texts(
                ("Lost my phone, can't get the two-factor code", "Need to reset two-step verification"),
                (
                    "My phone was stolen over the weekend and my authenticator app was on it. I have my password "
                    "but can't get past the code screen. How do I get back in?",
                ),
                (
                    "Sorry to hear about your phone. For your security we need to confirm it's really you: please "
                    "reply from your account email with the last four digits of the card on file, and I'll reset "
                    "two-step verification so you can enrol your new phone.",
                ),
                (
                    "Identity confirmed against the billing record; 2FA reset, customer advised to store the "
                    "recovery codes this time.",
                ),
            ),
            "ar": Texts(
                ("فقدت هاتفي ولا أستطيع الحصول على رمز التحقق", "أحتاج إلى إعادة ضبط التحقق بخطوتين"),
                (
                    "سُرق هاتفي في عطلة نهاية الأسبوع وكان عليه تطبيق المصادقة. أعرف كلمة المرور لكن لا أستطيع تجاوز "
                    "شاشة الرمز. كيف أستعيد الدخول؟",
                ),
                (
                    "نأسف لما حدث. حفاظاً على أمان حسابكم نحتاج إلى التأكد من هويتكم: يُرجى الرد من بريد الحساب مع "
                    "آخر أربعة أرقام من البطاقة المسجلة، وسأعيد ضبط التحقق بخطوتين لتتمكنوا من ربط هاتفكم الجديد.",
                ),
                (
                    "تم التحقق من الهوية عبر سجل الفوترة، وأُعيد ضبط التحقق بخطوتين، ونصحت العميل بحفظ رموز "
                    "الاسترداد.",
                ),
            ),
            "fa": Texts(
                ("گوشی‌ام گم شده و کد تأیید دومرحله‌ای را ندارم", "باید تأیید دومرحله‌ای را بازنشانی کنم"),
                (
                    "گوشی‌ام آخر هفته دزدیده شد و برنامهٔ احراز هویت روی آن بود. رمز عبورم را دارم ولی از صفحهٔ کد "
                    "نمی‌توانم رد شوم. چطور دوباره وارد شوم؟",
                ),
                (
                    "متأسفیم. برای امنیت حساب باید مطمئن شویم خودتان هستید: لطفاً از ایمیل حساب، چهار رقم آخر کارت "
                    "ثبت‌شده را بفرستید تا تأیید دومرحله‌ای را بازنشانی کنم و گوشی جدید را وصل کنید.",
                ),
                (
                    "هویت با اطلاعات صورت‌حساب تأیید شد؛ تأیید دومرحله‌ای بازنشانی شد و به مشتری گفتم کدهای بازیابی "
                    "را نگه دارد.",
                ),
            ),
        },
    ),
    Topic(
        "add_users",
        S,
        ("how_to", "users"),
        (1, 2),
        {
            "en": Texts(
                (
                    "How do I invite my team?",
                    "Can two people share one login?",
                    "Give a colleague access to invoices only",
                ),
                (
                    "We've just hired two people for the warehouse. How do I add them so they can see orders but "
                    "not our invoices?",
                    "Our accountant needs to download invoices every month. Is there a way to give her access "
                    "without sharing my password?",
                ),
                (
                    "Good question! Go to Settings → Team, choose “Invite”, and pick the “Orders” role for warehouse "
                    "staff or “Accounting” for invoices only. Each person gets their own sign-in, so there's no "
                    "need to share passwords.",
                ),
                ("Pointed them to the roles article; worth adding a screenshot to it.",),
            ),
            "ar": Texts(
                ("كيف أضيف أعضاء فريقي؟", "هل يمكن لشخصين استخدام الحساب نفسه؟"),
                (
                    "وظّفنا موظفَين جديدين في المستودع. كيف أضيفهما ليتمكنا من رؤية الطلبات دون الفواتير؟",
                    "تحتاج المحاسبة لدينا إلى تنزيل الفواتير كل شهر. هل يمكن منحها صلاحية دون مشاركة كلمة المرور؟",
                ),
                (
                    "سؤال مهم! اذهب إلى الإعدادات ← الفريق، ثم اختر «دعوة» وحدد دور «الطلبات» لموظفي المستودع أو "
                    "«المحاسبة» للفواتير فقط. لكل شخص حساب دخول خاص، فلا حاجة لمشاركة كلمات المرور.",
                ),
                ("أرسلت لهم مقال الأدوار؛ من الأفضل إضافة صورة توضيحية إليه.",),
            ),
            "fa": Texts(
                ("چطور همکارانم را اضافه کنم؟", "آیا دو نفر می‌توانند از یک حساب استفاده کنند؟"),
                (
                    "دو نفر برای انبار استخدام کرده‌ایم. چطور اضافه‌شان کنم که سفارش‌ها را ببینند ولی "
                    "صورت‌حساب‌ها را نه؟",
                    "حسابدارمان هر ماه باید فاکتورها را دانلود کند. راهی هست بدون دادن رمز عبورم به او دسترسی بدهم؟",
                ),
                (
                    "سؤال خوبی است! به تنظیمات ← تیم بروید، «دعوت» را بزنید و برای انبار نقش «سفارش‌ها» و برای "
                    "حسابداری نقش «مالی» را انتخاب کنید. هر نفر ورود جداگانه دارد و نیازی به اشتراک رمز نیست.",
                ),
                ("مقالهٔ نقش‌ها را فرستادم؛ بهتر است یک تصویر راهنما به آن اضافه کنیم.",),
            ),
        },
    ),
    Topic(
        "change_email",
        S,
        ("account",),
        (1, 2),
        {
            "en": Texts(
                ("Change the email address on my account", "Please delete my account and data"),
                (
                    "I'm moving to a new company address. Can you change my login email from my old one? I can't "
                    "find the option in my profile.",
                    "We've closed the shop and would like our account and all customer data deleted, please.",
                ),
                (
                    "Done — you can now sign in with your new address, and we've sent a confirmation to both. For "
                    "a full deletion we keep invoices for seven years as the law requires; everything else goes "
                    "within 30 days.",
                ),
                ("Verified the request came from the account owner before changing anything.",),
            ),
            "ar": Texts(
                ("تغيير البريد الإلكتروني لحسابي", "أرجو حذف حسابي وبياناتي"),
                (
                    "انتقلت إلى بريد جديد للشركة. هل يمكنكم تغيير بريد الدخول؟ لم أجد هذا الخيار في ملفي الشخصي.",
                    "أغلقنا المتجر ونرغب في حذف حسابنا وجميع بيانات العملاء من فضلكم.",
                ),
                (
                    "تم ذلك، ويمكنك الآن الدخول بالعنوان الجديد، وأرسلنا تأكيداً إلى العنوانين. أما الحذف الكامل "
                    "فنحتفظ بالفواتير سبع سنوات كما يقتضي القانون، ويُحذف كل ما عداها خلال ٣٠ يوماً.",
                ),
                ("تأكدت أن الطلب من مالك الحساب قبل أي تغيير.",),
            ),
            "fa": Texts(
                ("تغییر ایمیل حساب کاربری", "لطفاً حساب و اطلاعاتم را حذف کنید"),
                (
                    "ایمیل کاری‌ام عوض شده. می‌شود ایمیل ورودم را تغییر دهید؟ این گزینه را در پروفایل پیدا نکردم.",
                    "فروشگاه را بسته‌ایم و می‌خواهیم حساب و همهٔ اطلاعات مشتریان حذف شود.",
                ),
                (
                    "انجام شد؛ اکنون می‌توانید با ایمیل جدید وارد شوید و تأییدیه به هر دو نشانی فرستاده شد. برای "
                    "حذف کامل، فاکتورها طبق قانون هفت سال نگه داشته می‌شوند و بقیهٔ داده‌ها ظرف ۳۰ روز پاک می‌شوند.",
                ),
                ("پیش از هر تغییری مطمئن شدم درخواست از طرف صاحب حساب است.",),
            ),
        },
    ),
    Topic(
        "feature_request",
        S,
        ("feature_request",),
        (1,),
        {
            "en": Texts(
                (
                    "Feature request: dark mode",
                    "Could you add export to Excel?",
                    "Suggestion: let customers pick a delivery slot",
                ),
                (
                    "Love the product! Our team works late and would really appreciate a dark mode for the "
                    "dashboard.",
                    "It would save us hours if reports could be exported straight to Excel instead of CSV.",
                ),
                (
                    "Thank you for the suggestion — I've passed it to our product team with your use case. I can't "
                    "promise a date, but requests like yours are exactly how we decide what to build next.",
                ),
                ("Third request for this this month; added to the roadmap board with a +1.",),
            ),
            "ar": Texts(
                ("اقتراح: إضافة الوضع الليلي", "هل يمكن إضافة التصدير إلى Excel؟"),
                (
                    "المنتج رائع! فريقنا يعمل حتى وقت متأخر وسيكون الوضع الليلي للوحة التحكم مفيداً جداً.",
                    "سيوفر علينا ساعات لو أمكن تصدير التقارير إلى Excel مباشرة بدلاً من CSV.",
                ),
                (
                    "شكراً على الاقتراح، نقلته إلى فريق المنتج مع شرح حالتكم. لا أستطيع الوعد بموعد، لكن مثل هذه "
                    "الطلبات هي ما نعتمد عليه في تحديد الأولويات.",
                ),
                ("ثالث طلب لهذه الميزة هذا الشهر؛ أضفته إلى لوحة خطة العمل.",),
            ),
            "fa": Texts(
                ("پیشنهاد: حالت تاریک", "امکان خروجی اکسل اضافه می‌کنید؟"),
                (
                    "محصول‌تان عالی است! تیم ما تا دیروقت کار می‌کند و حالت تاریک برای داشبورد خیلی کمک می‌کند.",
                    "اگر گزارش‌ها مستقیم به اکسل صادر شوند، ساعت‌ها در وقت ما صرفه‌جویی می‌شود.",
                ),
                (
                    "از پیشنهادتان ممنونیم؛ آن را با توضیح نیازتان به تیم محصول دادم. تاریخی نمی‌توانم قول بدهم، "
                    "ولی همین درخواست‌ها اولویت‌های ما را تعیین می‌کنند.",
                ),
                ("سومین درخواست این ماه برای این قابلیت؛ به نقشهٔ راه اضافه شد.",),
            ),
        },
    ),
    Topic(
        "double_charge",
        B,
        ("billing", "double_charge"),
        (3, 3, 4),
        {
            "en": Texts(
                (
                    "I was charged twice this month",
                    "Duplicate payment on my card",
                    "Two identical charges for the Business plan",
                ),
                (
                    "My bank statement shows two charges of $79 on the same day for our subscription. Please "
                    "refund the extra one.",
                    "We were billed twice for May. Both payments went through and our finance team is asking why.",
                ),
                (
                    "I'm sorry about that. I can see two payments: the second came from a retry after a timeout at "
                    "the payment provider. I've refunded it now; depending on your bank it takes 5–10 working days "
                    "to appear.",
                ),
                (
                    "Provider timeout at 02:13 UTC caused a retry; refund issued for the second charge.",
                    "Same root cause as the other double charges this week — Engineering is adding an idempotency "
                    "key to the retry.",
                ),
            ),
            "ar": Texts(
                ("تم خصم المبلغ مرتين هذا الشهر", "دفعة مكررة على بطاقتي"),
                (
                    "يظهر في كشف حسابي البنكي خصمان بقيمة ٧٩ دولاراً في اليوم نفسه للاشتراك. أرجو استرداد المبلغ "
                    "الزائد.",
                    "تمت محاسبتنا مرتين عن شهر مايو، ونجحت الدفعتان، وقسم المالية يسأل عن السبب.",
                ),
                (
                    "نعتذر عن ذلك. أرى دفعتين، والثانية نتجت عن إعادة محاولة بعد انقطاع لدى مزوّد الدفع. أعدت المبلغ "
                    "الآن، وقد يستغرق ظهوره من ٥ إلى ١٠ أيام عمل حسب البنك.",
                ),
                ("انقطاع لدى مزوّد الدفع تسبب في إعادة المحاولة؛ تم استرداد الدفعة الثانية.",),
            ),
            "fa": Texts(
                ("صورتحساب این ماه دو بار از کارتم کم شد", "پرداخت تکراری برای اشتراک"),
                (
                    "در صورت‌حساب بانکی‌ام دو برداشت ۷۹ دلاری در یک روز برای اشتراک دیده می‌شود. لطفاً مبلغ اضافه را "
                    "برگردانید.",
                    "برای اردیبهشت دو بار از ما پول کسر شده و هر دو پرداخت موفق بوده. واحد مالی علت را می‌پرسد.",
                ),
                (
                    "بابت این موضوع عذرخواهی می‌کنم. دو پرداخت می‌بینم؛ دومی به‌خاطر تلاش مجدد بعد از قطعی درگاه "
                    "بوده. مبلغ را برگرداندم و بسته به بانک ۵ تا ۱۰ روز کاری طول می‌کشد.",
                ),
                ("قطعی درگاه پرداخت باعث تلاش مجدد شد؛ مبلغ دوم مسترد شد.",),
            ),
        },
    ),
    Topic(
        "refund",
        B,
        ("billing", "refund"),
        (2, 2, 3),
        {
            "en": Texts(
                ("Refund for the annual plan", "Can I get my money back? Upgraded by mistake"),
                (
                    "I meant to pick the monthly plan but clicked annual. It's been two days — can I get a refund "
                    "and switch to monthly?",
                    "We upgraded to Enterprise by mistake while testing. Nobody has used the new features yet.",
                ),
                (
                    "No problem — within 14 days we refund in full. I've switched you to the monthly plan and "
                    "refunded the difference; you'll get a credit note by email shortly.",
                ),
                ("Within the 14-day window, full refund approved.",),
            ),
            "ar": Texts(
                ("استرداد قيمة الاشتراك السنوي", "هل يمكن استرداد المبلغ؟ قمت بالترقية بالخطأ"),
                (
                    "كنت أريد الخطة الشهرية لكنني اخترت السنوية بالخطأ. مرّ يومان فقط، فهل يمكن استرداد المبلغ "
                    "والتحويل إلى الشهرية؟",
                    "قمنا بالترقية إلى خطة المؤسسات بالخطأ أثناء التجربة، ولم يستخدم أحد الميزات الجديدة بعد.",
                ),
                (
                    "لا مشكلة، نعيد المبلغ كاملاً خلال ١٤ يوماً من الدفع. حوّلت حسابكم إلى الخطة الشهرية وأعدت الفرق، "
                    "وستصلكم مذكرة دائنة بالبريد قريباً.",
                ),
                ("ضمن مهلة الأيام الأربعة عشر، تمت الموافقة على الاسترداد الكامل.",),
            ),
            "fa": Texts(
                ("بازپرداخت هزینهٔ اشتراک سالانه", "به اشتباه ارتقا دادم، امکان برگشت وجه هست؟"),
                (
                    "می‌خواستم طرح ماهانه را بگیرم ولی اشتباهی سالانه را زدم. دو روز گذشته؛ می‌شود پول را برگردانید "
                    "و طرح را ماهانه کنید؟",
                    "هنگام آزمایش، به اشتباه به طرح سازمانی ارتقا دادیم و هنوز کسی از امکانات جدید استفاده نکرده.",
                ),
                (
                    "مشکلی نیست؛ تا ۱۴ روز کل مبلغ برگردانده می‌شود. طرح‌تان را ماهانه کردم و مابه‌التفاوت را "
                    "برگرداندم. به‌زودی اعلامیهٔ بستانکاری به ایمیل‌تان می‌رسد.",
                ),
                ("در مهلت ۱۴ روزه است؛ بازپرداخت کامل تأیید شد.",),
            ),
        },
    ),
    Topic(
        "invoice_vat",
        B,
        ("billing", "invoice"),
        (2,),
        {
            "en": Texts(
                ("Invoice needs our VAT number", "Company name is wrong on the invoice"),
                (
                    "Our accounts department can't book the last invoice because our VAT number is missing. Can "
                    "you reissue it?",
                    "The invoice shows my personal name instead of the company's. Could you correct it for April "
                    "and May?",
                ),
                (
                    "Of course. I've added your VAT number and company name to the billing profile and reissued "
                    "both invoices — you'll find them under Billing → Invoices, and future invoices will include "
                    "them automatically.",
                ),
                ("Reissued invoices; old ones voided.",),
            ),
            "ar": Texts(
                ("الفاتورة تحتاج إلى الرقم الضريبي", "اسم الشركة خاطئ في الفاتورة"),
                (
                    "لا يستطيع قسم الحسابات تسجيل الفاتورة الأخيرة لأن الرقم الضريبي غير موجود فيها. هل يمكن إعادة "
                    "إصدارها؟",
                    "تظهر الفاتورة باسمي الشخصي بدلاً من اسم الشركة. هل يمكن تصحيح فاتورتي أبريل ومايو؟",
                ),
                (
                    "بالتأكيد. أضفت الرقم الضريبي واسم الشركة إلى ملف الفوترة وأعدت إصدار الفاتورتين، وستجدونهما في "
                    "الفوترة ← الفواتير، وستتضمن الفواتير القادمة هذه البيانات تلقائياً.",
                ),
                ("أُعيد إصدار الفواتير وأُلغيت القديمة.",),
            ),
            "fa": Texts(
                ("شمارهٔ اقتصادی در فاکتور نیست", "نام شرکت در فاکتور اشتباه است"),
                (
                    "واحد حسابداری نمی‌تواند فاکتور آخر را ثبت کند چون شمارهٔ اقتصادی ما در آن نیامده. لطفاً دوباره "
                    "صادر کنید.",
                    "فاکتور به نام شخص من صادر شده نه شرکت. می‌شود فاکتورهای فروردین و اردیبهشت را اصلاح کنید؟",
                ),
                (
                    "حتماً. شمارهٔ اقتصادی و نام شرکت را به پروفایل صورت‌حساب اضافه کردم و هر دو فاکتور را دوباره "
                    "صادر کردم؛ در بخش صورت‌حساب ← فاکتورها هستند و از این به بعد خودکار درج می‌شوند.",
                ),
                ("فاکتورها دوباره صادر و نسخه‌های قبلی باطل شد.",),
            ),
        },
    ),
    Topic(
        "upgrade_plan",
        B,
        ("billing", "plan"),
        (1, 2),
        {
            "en": Texts(
                ("Upgrading from Starter to Business", "What happens to our data if we downgrade?"),
                (
                    "We're growing and need more than 3 users. If we upgrade mid-month, do we pay the full price "
                    "straight away?",
                    "Business is a bit much for us in the quiet season. If we move to Starter, do we lose our "
                    "order history?",
                ),
                (
                    "Upgrades are prorated: you only pay the difference for the rest of the month. Downgrading "
                    "keeps all your data; only the extra users become read-only until you upgrade again.",
                ),
                ("Sales lead — flagged to the account manager.",),
            ),
            "ar": Texts(
                ("الترقية من الخطة الأساسية إلى خطة الأعمال", "ماذا يحدث لبياناتنا إذا خفّضنا الخطة؟"),
                (
                    "نحن نتوسع ونحتاج إلى أكثر من ٣ مستخدمين. إذا قمنا بالترقية في منتصف الشهر، هل ندفع السعر "
                    "كاملاً فوراً؟",
                    "خطة الأعمال مكلفة علينا في الموسم الهادئ. إذا انتقلنا إلى الخطة الأساسية، هل نفقد سجل الطلبات؟",
                ),
                (
                    "الترقية تُحسب بالتناسب، فتدفعون الفرق عن بقية الشهر فقط. وعند التخفيض تبقى بياناتكم كاملة، "
                    "ويصبح المستخدمون الإضافيون للقراءة فقط حتى تعودوا إلى الترقية.",
                ),
                ("فرصة مبيعات، أبلغت مدير الحساب.",),
            ),
            "fa": Texts(
                ("ارتقا از طرح پایه به طرح تجاری", "اگر طرح را پایین بیاوریم اطلاعات‌مان چه می‌شود؟"),
                (
                    "کارمان بزرگ‌تر شده و به بیش از ۳ کاربر نیاز داریم. اگر وسط ماه ارتقا دهیم، همان موقع کل مبلغ را "
                    "می‌پردازیم؟",
                    "در فصل کم‌کاری طرح تجاری برای ما گران است. اگر به طرح پایه برگردیم سوابق سفارش‌ها از بین می‌رود؟",
                ),
                (
                    "ارتقا به‌صورت تناسبی حساب می‌شود و فقط مابه‌التفاوت باقی ماه را می‌پردازید. با کاهش طرح همهٔ "
                    "داده‌ها می‌ماند و فقط کاربران اضافه تا ارتقای دوباره فقط‌خواندنی می‌شوند.",
                ),
                ("فرصت فروش؛ به مدیر حساب اطلاع دادم.",),
            ),
        },
    ),
    Topic(
        "card_declined",
        B,
        ("billing", "payment"),
        (3, 2),
        {
            "en": Texts(
                ("Payment failed but my card is fine", "Card declined on renewal"),
                (
                    "We got an email saying the renewal payment failed, but the card works everywhere else. Will "
                    "our shop be switched off?",
                ),
                (
                    "Your shop stays online — we retry failed payments for 7 days. The bank declined it as a "
                    "suspected foreign transaction; if you approve it in your banking app, or add another card "
                    "under Billing, the next retry will go through.",
                ),
                ("Decline code 'do_not_honor'. Grace period until the 7th.",),
            ),
            "ar": Texts(
                ("فشل الدفع مع أن بطاقتي تعمل", "رُفضت البطاقة عند تجديد الاشتراك"),
                (
                    "وصلتنا رسالة تفيد بفشل دفعة التجديد، مع أن البطاقة تعمل في كل مكان آخر. هل سيتوقف متجرنا؟",
                ),
                (
                    "سيبقى متجركم يعمل، فنحن نعيد محاولة الدفع لمدة ٧ أيام. رفض البنك العملية بوصفها معاملة خارجية "
                    "مشبوهة؛ وافقوا عليها من تطبيق البنك أو أضيفوا بطاقة أخرى في صفحة الفوترة، وستنجح المحاولة "
                    "التالية.",
                ),
                ("رمز الرفض do_not_honor، ومهلة السماح حتى اليوم السابع.",),
            ),
            "fa": Texts(
                ("پرداخت ناموفق بود ولی کارتم مشکلی ندارد", "کارت هنگام تمدید اشتراک رد شد"),
                (
                    "ایمیلی آمده که پرداخت تمدید ناموفق بوده، در حالی که کارت جاهای دیگر کار می‌کند. فروشگاه ما "
                    "غیرفعال می‌شود؟",
                ),
                (
                    "فروشگاه‌تان فعال می‌ماند؛ پرداخت‌های ناموفق را تا ۷ روز دوباره امتحان می‌کنیم. بانک تراکنش را "
                    "مشکوک دانسته؛ اگر در برنامهٔ بانک تأییدش کنید یا کارت دیگری اضافه کنید، تلاش بعدی موفق می‌شود.",
                ),
                ("کد رد: do_not_honor. مهلت تا روز هفتم.",),
            ),
        },
    ),
    Topic(
        "cancel_subscription",
        B,
        ("billing", "cancellation"),
        (2,),
        {
            "en": Texts(
                ("Please cancel our subscription", "How do I stop automatic renewal?"),
                (
                    "We're moving to a different system at the end of the month. Please cancel our subscription "
                    "and confirm we won't be charged again.",
                ),
                (
                    "I've turned off renewal: your plan stays active until the end of the paid period and you "
                    "won't be charged again. You can export all your data under Settings → Export before then.",
                ),
                ("Asked why they're leaving: moving to an ERP with built-in shop. Logged for churn review.",),
            ),
            "ar": Texts(
                ("أرجو إلغاء اشتراكنا", "كيف أوقف التجديد التلقائي؟"),
                (
                    "سننتقل إلى نظام آخر في نهاية الشهر. أرجو إلغاء الاشتراك وتأكيد أنه لن يُخصم منا أي مبلغ آخر.",
                ),
                (
                    "أوقفت التجديد التلقائي: تبقى خطتكم فعّالة حتى نهاية الفترة المدفوعة ولن يُخصم أي مبلغ آخر. يمكنكم "
                    "تصدير جميع بياناتكم من الإعدادات ← التصدير قبل ذلك.",
                ),
                ("سبب المغادرة: الانتقال إلى نظام تخطيط موارد متكامل. سُجّل للمراجعة.",),
            ),
            "fa": Texts(
                ("لطفاً اشتراک ما را لغو کنید", "چطور تمدید خودکار را متوقف کنم؟"),
                (
                    "آخر ماه به سامانهٔ دیگری می‌رویم. لطفاً اشتراک را لغو کنید و تأیید کنید که دیگر مبلغی کسر "
                    "نمی‌شود.",
                ),
                (
                    "تمدید خودکار را خاموش کردم: طرح‌تان تا پایان دورهٔ پرداخت‌شده فعال است و دیگر مبلغی کسر "
                    "نمی‌شود. تا آن زمان می‌توانید از تنظیمات ← خروجی همهٔ داده‌ها را بگیرید.",
                ),
                ("دلیل رفتن: مهاجرت به یک نرم‌افزار یکپارچهٔ سازمانی. برای بررسی ریزش ثبت شد.",),
            ),
        },
    ),
    Topic(
        "api_error",
        E,
        ("api", "bug"),
        (3, 4, 3),
        {
            "en": Texts(
                (
                    "API returns 500 on /orders",
                    "Orders sync failing since last night",
                    "Intermittent 502 errors from the API",
                ),
                (
                    "Since about 2 am our integration gets HTTP 500 from the orders endpoint on every second call. "
                    "Nothing changed on our side. Log attached.",
                    "Our warehouse system hasn't received any orders since last night; the sync log shows server "
                    "errors from your API.",
                ),
                (
                    "Thanks for the log, it helped a lot. The errors came from one of our database replicas that "
                    "fell behind after maintenance; we've taken it out of rotation and the error rate is back to "
                    "zero. Your retries should catch up on their own within the hour.",
                ),
                (
                    "Request ids match replica db-3; lag peaked at 40 s. Incident report to follow.",
                    "Reproduced with the customer's payload: a null in shipping.address2 hits the 500. Fix in "
                    "review.",
                ),
            ),
            "ar": Texts(
                (
                    "الواجهة البرمجية تعيد الخطأ 500 عند جلب الطلبات",
                    "توقفت مزامنة الطلبات منذ الليلة الماضية",
                ),
                (
                    "منذ الثانية فجراً تقريباً يتلقى نظامنا الخطأ 500 من واجهة الطلبات في كل طلب ثانٍ، ولم نغيّر شيئاً "
                    "من جهتنا. أرفقت السجل.",
                    "لم يستلم نظام المستودع أي طلبات منذ الليلة الماضية، ويُظهر سجل المزامنة أخطاء من الخادم لديكم.",
                ),
                (
                    "شكراً على السجل، فقد ساعدنا كثيراً. كانت الأخطاء من إحدى نسخ قاعدة البيانات التي تأخرت بعد "
                    "الصيانة، وقد أخرجناها من الخدمة وعاد معدل الأخطاء إلى الصفر. ستُستكمل المحاولات المعادة تلقائياً "
                    "خلال ساعة.",
                ),
                (
                    "معرّفات الطلبات تشير إلى النسخة db-3، ووصل التأخر إلى ٤٠ ثانية. سيصدر تقرير الحادثة لاحقاً.",
                ),
            ),
            "fa": Texts(
                ("API هنگام دریافت سفارش‌ها خطای ۵۰۰ می‌دهد", "همگام‌سازی سفارش‌ها از دیشب قطع است"),
                (
                    "از حدود ساعت ۲ بامداد، سامانهٔ ما در هر درخواست دوم از سرویس سفارش‌ها خطای ۵۰۰ می‌گیرد. در سمت "
                    "ما چیزی تغییر نکرده. لاگ را پیوست کردم.",
                    "از دیشب هیچ سفارشی به سامانهٔ انبار نرسیده و گزارش همگام‌سازی خطای سرور از API شما نشان می‌دهد.",
                ),
                (
                    "ممنون از لاگ، خیلی کمک کرد. خطاها از یکی از نسخه‌های پایگاه داده بود که بعد از نگهداری عقب افتاده "
                    "بود؛ آن را از مدار خارج کردیم و نرخ خطا صفر شد. تلاش‌های مجدد تا یک ساعت دیگر خودکار جبران "
                    "می‌شوند.",
                ),
                ("شناسهٔ درخواست‌ها به db-3 می‌رسد؛ تأخیر تا ۴۰ ثانیه. گزارش حادثه بعداً.",),
            ),
        },
        attachment="app-log.txt",
    ),
    Topic(
        "export_encoding",
        E,
        ("export", "bug", "rtl"),
        (2, 3),
        {
            "en": Texts(
                (
                    "CSV export shows strange characters for Arabic names",
                    "Exported file is unreadable in Excel",
                ),
                (
                    "When I export orders to CSV and open the file in Excel, all the Arabic customer names look "
                    "like “Ø£Ø­Ù…Ø¯”. English names are fine.",
                ),
                (
                    "Excel assumes an older encoding unless the file says otherwise. We've added a byte-order mark "
                    "to our exports, so new exports open correctly; for older files use Data → From Text and "
                    "choose UTF-8.",
                ),
                ("Known issue, fixed in release 5.3 (UTF-8 BOM on CSV).",),
            ),
            "ar": Texts(
                ("ملف التصدير يُظهر رموزاً غريبة بدل الأسماء العربية", "لا يمكن قراءة الملف المصدَّر في Excel"),
                (
                    "عندما أصدّر الطلبات إلى ملف CSV وأفتحه في Excel تظهر أسماء العملاء العربية بشكل رموز غير مفهومة، "
                    "بينما الأسماء الإنجليزية سليمة.",
                ),
                (
                    "يفترض Excel ترميزاً قديماً ما لم يحدد الملف غير ذلك. أضفنا علامة ترتيب البايت إلى ملفات التصدير، "
                    "فستُفتح الملفات الجديدة بشكل صحيح؛ وللملفات القديمة استخدموا البيانات ← من نص واختاروا UTF-8.",
                ),
                ("مشكلة معروفة، أُصلحت في الإصدار 5.3.",),
            ),
            "fa": Texts(
                ("در خروجی CSV نام‌های فارسی به‌هم‌ریخته است", "فایل خروجی در اکسل خوانا نیست"),
                (
                    "وقتی سفارش‌ها را به CSV صادر می‌کنم و در اکسل باز می‌کنم، نام مشتریان فارسی به‌صورت نویسه‌های "
                    "نامفهوم دیده می‌شود ولی نام‌های انگلیسی درست است.",
                ),
                (
                    "اکسل اگر فایل چیزی نگوید، کدگذاری قدیمی را فرض می‌کند. به خروجی‌ها نشانهٔ ترتیب بایت اضافه "
                    "کردیم و خروجی‌های جدید درست باز می‌شوند؛ برای فایل‌های قدیمی از داده ← از متن، UTF-8 را انتخاب "
                    "کنید.",
                ),
                ("مشکل شناخته‌شده؛ در نسخهٔ ۵.۳ رفع شد.",),
            ),
        },
        attachment="export-sample.csv",
    ),
    Topic(
        "webhook",
        E,
        ("webhooks", "integration"),
        (3, 2),
        {
            "en": Texts(
                ("Webhooks stopped arriving", "Order webhook not firing for new orders"),
                (
                    "Our endpoint hasn't received an order.created webhook since Tuesday. The endpoint is up and "
                    "responds 200 to a manual test.",
                ),
                (
                    "Your endpoint answered with a 301 redirect to https for a few hours on Tuesday; after 50 "
                    "failures in a row we pause a webhook to protect you. I've re-enabled it and replayed the "
                    "missed deliveries — please point it straight at the https address.",
                ),
                ("Subscription auto-paused after 50 consecutive failures (301). Replayed 312 deliveries.",),
            ),
            "ar": Texts(
                ("توقفت إشعارات الويب هوك عن الوصول", "لا يصل إشعار الطلبات الجديدة"),
                (
                    "لم يستقبل نظامنا أي إشعار order.created منذ يوم الثلاثاء، مع أن العنوان يعمل ويستجيب بالرمز 200 "
                    "عند الاختبار اليدوي.",
                ),
                (
                    "كان عنوانكم يعيد تحويلاً 301 إلى https لبضع ساعات يوم الثلاثاء، وبعد ٥٠ فشلاً متتالياً نوقف "
                    "الإشعارات مؤقتاً لحمايتكم. أعدت تفعيلها وأعدت إرسال ما فات، ويُرجى ضبط العنوان على https "
                    "مباشرة.",
                ),
                ("توقف الاشتراك تلقائياً بعد ٥٠ فشلاً متتالياً؛ أُعيد إرسال ٣١٢ إشعاراً.",),
            ),
            "fa": Texts(
                ("وب‌هوک‌ها دیگر نمی‌رسند", "وب‌هوک سفارش جدید ارسال نمی‌شود"),
                (
                    "از سه‌شنبه هیچ وب‌هوک order.created به نشانی ما نرسیده. سرویس ما بالا است و در آزمایش دستی پاسخ "
                    "۲۰۰ می‌دهد.",
                ),
                (
                    "نشانی شما سه‌شنبه چند ساعت با ۳۰۱ به https هدایت می‌کرد و بعد از ۵۰ خطای پیاپی، وب‌هوک را برای "
                    "حفاظت متوقف می‌کنیم. دوباره فعالش کردم و ارسال‌های جامانده را فرستادم؛ لطفاً نشانی را مستقیم "
                    "روی https بگذارید.",
                ),
                ("اشتراک پس از ۵۰ خطای پیاپی (۳۰۱) خودکار متوقف شده بود؛ ۳۱۲ ارسال دوباره انجام شد.",),
            ),
        },
    ),
    Topic(
        "slow_dashboard",
        E,
        ("performance",),
        (2, 3),
        {
            "en": Texts(
                ("Dashboard is very slow today", "Reports page takes a minute to load"),
                (
                    "The orders page takes 20–30 seconds to open and sometimes times out. It's been like this all "
                    "morning for everyone in our office.",
                ),
                (
                    "Thanks for flagging this. A report running for your account was scanning two years of orders "
                    "on every page load; we've added an index and the page now opens in under a second for us. "
                    "Could you confirm it's quick for you too?",
                ),
                ("Slow query: orders by status without date bound. Index added, p95 1.8 s → 90 ms.",),
            ),
            "ar": Texts(
                ("لوحة التحكم بطيئة جداً اليوم", "صفحة التقارير تستغرق دقيقة لتفتح"),
                (
                    "تستغرق صفحة الطلبات من ٢٠ إلى ٣٠ ثانية لتفتح وأحياناً تنتهي المهلة. الوضع هكذا منذ الصباح لكل من "
                    "في مكتبنا.",
                ),
                (
                    "شكراً على التنبيه. كان تقرير خاص بحسابكم يفحص طلبات سنتين عند كل تحميل للصفحة، فأضفنا فهرساً "
                    "وأصبحت الصفحة تفتح في أقل من ثانية. هل يمكنكم التأكد من ذلك لديكم؟",
                ),
                ("استعلام بطيء دون حد زمني؛ أُضيف فهرس وانخفض الزمن من ١٫٨ ثانية إلى ٩٠ ملّي ثانية.",),
            ),
            "fa": Texts(
                ("داشبورد امروز خیلی کند است", "صفحهٔ گزارش‌ها یک دقیقه طول می‌کشد تا باز شود"),
                (
                    "صفحهٔ سفارش‌ها ۲۰ تا ۳۰ ثانیه طول می‌کشد تا باز شود و گاهی خطای زمان‌انتظار می‌دهد. از صبح برای "
                    "همهٔ همکاران همین‌طور است.",
                ),
                (
                    "ممنون که خبر دادید. گزارشی در حساب شما با هر بار بازشدن صفحه سفارش‌های دو سال را می‌خواند؛ "
                    "ایندکس اضافه کردیم و حالا زیر یک ثانیه باز می‌شود. لطفاً تأیید کنید برای شما هم سریع است.",
                ),
                ("کوئری کند بدون محدودهٔ تاریخ؛ ایندکس اضافه شد و زمان از ۱٫۸ ثانیه به ۹۰ میلی‌ثانیه رسید.",),
            ),
        },
    ),
    Topic(
        "mobile_crash",
        E,
        ("mobile", "bug"),
        (3, 3, 4),
        {
            "en": Texts(
                ("App crashes on startup after the update", "Android app closes as soon as I open it"),
                (
                    "Since updating to 5.2.0 the Android app crashes right after the splash screen. Reinstalling "
                    "didn't help. Crash report attached.",
                ),
                (
                    "Thank you for the crash report — it pointed straight at the bug. Version 5.2.1 with the fix is "
                    "rolling out in the Play Store now; until it reaches you, signing out and back in on the web "
                    "first works around it.",
                ),
                ("Crash in SessionStore on cold start when the token cache is empty. Hotfix 5.2.1 shipped.",),
            ),
            "ar": Texts(
                ("التطبيق يتوقف عند التشغيل بعد التحديث", "تطبيق أندرويد يُغلق فور فتحه"),
                (
                    "منذ التحديث إلى الإصدار 5.2.0 يتوقف تطبيق أندرويد بعد شاشة البداية مباشرة، ولم تنفع إعادة "
                    "التثبيت. أرفقت تقرير الخطأ.",
                ),
                (
                    "شكراً على تقرير الخطأ، فقد دلّنا على المشكلة مباشرة. يُنشر الإصدار 5.2.1 المتضمن للإصلاح في متجر "
                    "Play الآن، وحتى يصلكم يمكن تجاوز المشكلة بتسجيل الخروج والدخول من الموقع أولاً.",
                ),
                ("تعطل في SessionStore عند التشغيل الأول مع ذاكرة رموز فارغة. صدر الإصلاح 5.2.1.",),
            ),
            "fa": Texts(
                (
                    "برنامه بعد از به‌روزرسانی هنگام اجرا بسته می‌شود",
                    "اپ اندروید بلافاصله بعد از باز شدن بسته می‌شود",
                ),
                (
                    "از وقتی به نسخهٔ 5.2.0 به‌روز کردم، اپ اندروید بعد از صفحهٔ آغاز بسته می‌شود. نصب دوباره هم فایده "
                    "نداشت. گزارش خطا پیوست است.",
                ),
                (
                    "ممنون از گزارش خطا، مستقیم ما را به باگ رساند. نسخهٔ 5.2.1 با رفع مشکل در حال انتشار در "
                    "گوگل‌پلی است؛ تا به دست‌تان برسد، یک بار خروج و ورود در نسخهٔ وب مشکل را دور می‌زند.",
                ),
                ("کرش در SessionStore هنگام اجرای اول با حافظهٔ توکن خالی. نسخهٔ اصلاحی 5.2.1 منتشر شد.",),
            ),
        },
        attachment="crash-report.txt",
    ),
)


def topic_by_key(key: str) -> Topic:
    return next(topic for topic in TOPICS if topic.key == key)
