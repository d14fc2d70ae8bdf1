"""The demo helpdesk's people: staff, customers and their organizations, in English, Arabic and Persian."""

from __future__ import annotations

from dataclasses import dataclass, field

DEMO_PASSWORD = "awn-demo"  # one password for every demo sign-in; printed by `awn demo` and `make run`

SUPPORT, BILLING, ENGINEERING = "Support", "Billing", "Engineering"


@dataclass(frozen=True)
class TeamSpec:
    name: str
    tier: int  # 1 = L1 front line, 2 = L2 technical
    visibility: str  # "team": members see the team's tickets; "all": every ticket


TEAMS = (
    TeamSpec(SUPPORT, 1, "team"),
    TeamSpec(BILLING, 1, "team"),
    TeamSpec(ENGINEERING, 2, "team"),
)


@dataclass(frozen=True)
class StaffSpec:
    email: str
    name: str
    role: str
    language: str
    timezone: str
    teams: tuple[str, ...] = ()
    speaks: tuple[str, ...] = ("en",)
    sign_in_note: str = ""  # shown in the list of demo sign-ins when set


STAFF = (
    StaffSpec(
        "admin@awn.example",
        "Alex Morgan",
        "admin",
        "en",
        "Europe/London",
        sign_in_note="administrator: everything, and the admin area",
    ),
    StaffSpec(
        "manager@awn.example",
        "Jordan Lee",
        "manager",
        "en",
        "Europe/Berlin",
        (SUPPORT, BILLING, ENGINEERING),
        ("en",),
        "manager, member of all three teams",
    ),
    StaffSpec(
        "agent1@awn.example",
        "Sam Taylor",
        "agent",
        "en",
        "Europe/London",
        (SUPPORT,),
        ("en",),
        "agent, English interface, Support team only",
    ),
    StaffSpec(
        "agent-ar@awn.example",
        "ليلى حداد",
        "agent",
        "ar",
        "Asia/Riyadh",
        (SUPPORT, BILLING),
        ("ar", "en"),
        "agent, Arabic interface, Support and Billing",
    ),
    StaffSpec(
        "agent-fa@awn.example",
        "سارا محمدی",
        "agent",
        "fa",
        "Asia/Tehran",
        (SUPPORT, BILLING),
        ("fa", "en"),
        "agent, Persian interface, Support and Billing",
    ),
    StaffSpec("emma.clarke@awn.example", "Emma Clarke", "agent", "en", "Europe/Dublin", (BILLING,), ("en",)),
    StaffSpec(
        "priya.natarajan@awn.example",
        "Priya Natarajan",
        "agent",
        "en",
        "Asia/Kolkata",
        (ENGINEERING,),
        ("en",),
    ),
    StaffSpec(
        "karim.mansour@awn.example", "كريم منصور", "agent", "ar", "Africa/Cairo", (ENGINEERING,), ("ar", "en")
    ),
    StaffSpec(
        "dariush.karimi@awn.example",
        "داریوش کریمی",
        "agent",
        "fa",
        "Asia/Tehran",
        (ENGINEERING,),
        ("fa", "en"),
    ),
)


@dataclass(frozen=True)
class OrganizationSpec:
    name: str
    domains: tuple[str, ...]
    plan: str
    shared_tickets: bool = False
    notes: str = ""


ORGANIZATIONS = (
    OrganizationSpec(
        "Northwind Traders",
        ("northwind.example",),
        "Business",
        shared_tickets=True,
        notes="Every member sees and answers the company's tickets.",
    ),
    OrganizationSpec(
        "Blue Harbor Clinics",
        ("blueharbor.example",),
        "Enterprise",
        notes="Enterprise contract; priority support.",
    ),
    OrganizationSpec("شركة النور للتجارة", ("alnoor.example",), "Business"),
    OrganizationSpec("مجموعة الخليج الرقمية", ("gulfdigital.example",), "Enterprise"),
    OrganizationSpec("پارس نوین", ("parsnovin.example",), "Business"),
    OrganizationSpec("فروشگاه آنلاین دیبا", ("diba.example",), "Starter"),
)


@dataclass(frozen=True)
class CustomerSpec:
    email: str
    name: str
    language: str
    timezone: str
    organization: str = ""
    phone: str = ""
    attributes: dict = field(default_factory=dict)


CUSTOMER_SIGN_IN = "customer@awn.example"

CUSTOMERS = (
    CustomerSpec(
        CUSTOMER_SIGN_IN,
        "Casey Miller",
        "en",
        "Europe/London",
        "Northwind Traders",
        "+44 20 7946 0311",
        {"account": "NW-1001", "role": "Operations lead"},
    ),
    CustomerSpec(
        "emily.carter@northwind.example",
        "Emily Carter",
        "en",
        "Europe/London",
        "Northwind Traders",
        "+44 20 7946 0102",
        {"account": "NW-1001", "role": "Finance"},
    ),
    CustomerSpec(
        "james.whitfield@northwind.example",
        "James Whitfield",
        "en",
        "Europe/London",
        "Northwind Traders",
        attributes={"account": "NW-1001", "role": "Developer"},
    ),
    CustomerSpec(
        "olivia.bennett@northwind.example",
        "Olivia Bennett",
        "en",
        "Europe/London",
        "Northwind Traders",
        attributes={"account": "NW-1001"},
    ),
    CustomerSpec(
        "daniel.brooks@blueharbor.example",
        "Daniel Brooks",
        "en",
        "America/New_York",
        "Blue Harbor Clinics",
        "+1 617 555 0143",
        {"account": "BH-2208", "clinics": 14},
    ),
    CustomerSpec(
        "sophie.turner@blueharbor.example",
        "Sophie Turner",
        "en",
        "America/New_York",
        "Blue Harbor Clinics",
        attributes={"account": "BH-2208"},
    ),
    CustomerSpec(
        "michael.chen@blueharbor.example",
        "Michael Chen",
        "en",
        "America/Chicago",
        "Blue Harbor Clinics",
        attributes={"account": "BH-2208", "role": "IT"},
    ),
    CustomerSpec("grace.okafor@mail.example", "Grace Okafor", "en", "Africa/Lagos", phone="+234 1 555 0199"),
    CustomerSpec("liam.oconnor@mail.example", "Liam O'Connor", "en", "Europe/Dublin"),
    CustomerSpec("hannah.schmidt@mail.example", "Hannah Schmidt", "en", "Europe/Berlin"),
    CustomerSpec("noah.williams@mail.example", "Noah Williams", "en", "America/Los_Angeles"),
    CustomerSpec("chloe.martin@mail.example", "Chloe Martin", "en", "Europe/Paris"),
    CustomerSpec("ethan.walker@mail.example", "Ethan Walker", "en", "Australia/Sydney"),
    CustomerSpec("isabella.rossi@mail.example", "Isabella Rossi", "en", "Europe/Rome"),
    CustomerSpec("ben.hughes@mail.example", "Benjamin Hughes", "en", "Europe/London"),
    CustomerSpec("ava.thompson@mail.example", "Ava Thompson", "en", "America/Toronto"),
    CustomerSpec("lucas.fernandes@mail.example", "Lucas Fernandes", "en", "America/Sao_Paulo"),
    CustomerSpec("mia.johnson@mail.example", "Mia Johnson", "en", "America/Denver"),
    CustomerSpec("ryan.patel@mail.example", "Ryan Patel", "en", "Asia/Singapore"),
    CustomerSpec(
        "ahmed.alotaibi@alnoor.example",
        "أحمد العتيبي",
        "ar",
        "Asia/Riyadh",
        "شركة النور للتجارة",
        "+966 11 555 0123",
        {"account": "AN-3310", "city": "الرياض"},
    ),
    CustomerSpec(
        "fatima.benali@alnoor.example",
        "فاطمة بنعلي",
        "ar",
        "Asia/Riyadh",
        "شركة النور للتجارة",
        attributes={"account": "AN-3310"},
    ),
    CustomerSpec(
        "mohammed.alshammari@alnoor.example",
        "محمد الشمري",
        "ar",
        "Asia/Riyadh",
        "شركة النور للتجارة",
        attributes={"account": "AN-3310", "role": "محاسب"},
    ),
    CustomerSpec(
        "noura.alqahtani@gulfdigital.example",
        "نورة القحطاني",
        "ar",
        "Asia/Dubai",
        "مجموعة الخليج الرقمية",
        "+971 4 555 0177",
        {"account": "GD-4102"},
    ),
    CustomerSpec(
        "khaled.elmasry@gulfdigital.example",
        "خالد المصري",
        "ar",
        "Asia/Dubai",
        "مجموعة الخليج الرقمية",
        attributes={"account": "GD-4102", "role": "مطوّر"},
    ),
    CustomerSpec(
        "mariam.elsayed@gulfdigital.example",
        "مريم السيد",
        "ar",
        "Asia/Dubai",
        "مجموعة الخليج الرقمية",
        attributes={"account": "GD-4102"},
    ),
    CustomerSpec("youssef.haddad@mail.example", "يوسف حداد", "ar", "Asia/Beirut", phone="+961 1 555 014"),
    CustomerSpec("sara.alkhatib@mail.example", "سارة الخطيب", "ar", "Asia/Amman"),
    CustomerSpec("omar.alfarsi@mail.example", "عمر الفارسي", "ar", "Asia/Muscat"),
    CustomerSpec("huda.abdullah@mail.example", "هدى عبد الله", "ar", "Africa/Cairo"),
    CustomerSpec("tarek.alnajjar@mail.example", "طارق النجار", "ar", "Africa/Tunis"),
    CustomerSpec("reem.aldosari@mail.example", "ريم الدوسري", "ar", "Asia/Qatar"),
    CustomerSpec("salman.alharbi@mail.example", "سلمان الحربي", "ar", "Asia/Kuwait"),
    CustomerSpec(
        "ali.rezaei@parsnovin.example",
        "علی رضایی",
        "fa",
        "Asia/Tehran",
        "پارس نوین",
        "+98 21 5550 1234",
        {"account": "PN-5120", "city": "تهران"},
    ),
    CustomerSpec(
        "maryam.ahmadi@parsnovin.example",
        "مریم احمدی",
        "fa",
        "Asia/Tehran",
        "پارس نوین",
        attributes={"account": "PN-5120", "role": "حسابدار"},
    ),
    CustomerSpec(
        "reza.hosseini@parsnovin.example",
        "رضا حسینی",
        "fa",
        "Asia/Tehran",
        "پارس نوین",
        attributes={"account": "PN-5120", "role": "برنامه‌نویس"},
    ),
    CustomerSpec(
        "zahra.karimi@diba.example",
        "زهرا کریمی",
        "fa",
        "Asia/Tehran",
        "فروشگاه آنلاین دیبا",
        "+98 31 5550 4411",
        {"account": "DB-6007"},
    ),
    CustomerSpec(
        "mohammad.jafari@diba.example",
        "محمد جعفری",
        "fa",
        "Asia/Tehran",
        "فروشگاه آنلاین دیبا",
        attributes={"account": "DB-6007"},
    ),
    CustomerSpec("negar.mousavi@mail.example", "نگار موسوی", "fa", "Asia/Tehran"),
    CustomerSpec("hossein.ghasemi@mail.example", "حسین قاسمی", "fa", "Asia/Tehran"),
    CustomerSpec("elham.sadeghi@mail.example", "الهام صادقی", "fa", "Europe/Berlin"),
    CustomerSpec("amir.nowrouzi@mail.example", "امیر نوروزی", "fa", "Asia/Tehran"),
    CustomerSpec("fatemeh.rahimi@mail.example", "فاطمه رحیمی", "fa", "Asia/Tehran"),
    CustomerSpec("bahareh.kazemi@mail.example", "بهاره کاظمی", "fa", "America/Toronto"),
)


def all_demo_emails() -> list[str]:
    return [person.email for person in (*STAFF, *CUSTOMERS)]
