"""The plan: who the accounts and users are and how their behaviour unfolds over the period.

Everything the writers need is decided here, once, per account (a numpy Generator seeded with
(seed, account number), so an account looks the same whatever else is generated). The event writer
then only samples days from these curves; it never loops over events in Python.

Days are integers relative to the period start (day 0); negative days are before the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from orchestration.generate import names as nm

ARCHETYPES = (
    "healthy",
    "slow_decline",
    "sudden_drop",
    "churning",
    "onboarding_well",
    "onboarding_stalled",
    "never_activated",
    "growing_to_capacity",
    "champion_leaving",
)
# A realistic book of business: most accounts are fine, a fifth are in some kind of trouble.
ARCHETYPE_WEIGHTS = np.array([0.38, 0.09, 0.06, 0.08, 0.10, 0.06, 0.05, 0.09, 0.09])
TROUBLED = ("slow_decline", "sudden_drop", "churning", "onboarding_stalled", "never_activated")
CHURN_SHARE = {  # share of each archetype that cancels inside the period
    "churning": 0.85,
    "sudden_drop": 0.8,
    "never_activated": 0.8,
    "slow_decline": 0.35,
}

# Some cancellations give no warning in usage or support (a budget cut, an acquisition, a rival tool
# bought elsewhere): this share of the paying accounts that are otherwise fine cancels at a renewal.
QUIET_CHURN_SHARE = 0.05
QUIET_CHURN = ("healthy", "growing_to_capacity", "champion_leaving")

TIERS = ("Starter", "Professional", "Enterprise")
TIER_WEIGHTS = np.array([0.45, 0.40, 0.15])
SEAT_PRICE = (360.0, 600.0, 900.0)  # yearly list price per license
COMPANY_SIZES = ("1-50", "51-200", "201-1000", "1000+")
SIZE_BY_TIER = np.array([[0.7, 0.3, 0.0, 0.0], [0.1, 0.5, 0.4, 0.0], [0.0, 0.0, 0.45, 0.55]])
TZ_OFFSETS = np.array([-8.0, -6.0, -5.0, 0.0, 1.0, 2.0, 5.5, 9.0, 10.0])  # hours from UTC
TZ_WEIGHTS = np.array([0.16, 0.1, 0.26, 0.12, 0.16, 0.06, 0.05, 0.05, 0.04])

# Modules: share of actions once adopted, chance an engaged account adopts it, mean days to adopt.
MODULES = ("Dashboards", "Reports", "Integrations", "Automation", "API", "Admin")
MODULE_WEIGHTS = np.array([0.40, 0.25, 0.10, 0.10, 0.07, 0.08])
MODULE_ADOPTION = np.array([1.0, 0.85, 0.55, 0.40, 0.22, 0.90])
MODULE_LAG_DAYS = np.array([0.0, 12.0, 35.0, 60.0, 90.0, 3.0])
KEY_MODULES = ("Reports", "Integrations", "Automation")
ACTIVITIES = {  # per module: (event name, weight, median seconds)
    "Dashboards": (
        ("Dashboard Viewed", 0.7, 45.0),
        ("Dashboard Filtered", 0.22, 25.0),
        ("Dashboard Created", 0.08, 240.0),
    ),
    "Reports": (
        ("Report Viewed", 0.6, 60.0),
        ("Report Exported", 0.25, 20.0),
        ("Report Scheduled", 0.15, 90.0),
    ),
    "Integrations": (
        ("Sync Run", 0.7, 30.0),
        ("Integration Configured", 0.2, 300.0),
        ("Integration Connected", 0.1, 180.0),
    ),
    "Automation": (
        ("Workflow Run", 0.6, 15.0),
        ("Workflow Edited", 0.3, 200.0),
        ("Workflow Created", 0.1, 420.0),
    ),
    "API": (("API Call", 0.85, 2.0), ("API Key Created", 0.05, 30.0), ("Webhook Configured", 0.1, 120.0)),
    "Admin": (
        ("Settings Changed", 0.45, 60.0),
        ("User Invited", 0.35, 40.0),
        ("Permissions Updated", 0.2, 90.0),
    ),
}
ROLES = ("admin", "manager", "analyst", "editor", "viewer")
NO_DAY = 1_000_000  # "never" for day columns (keeps them integer)


@dataclass
class Plan:
    seed: int
    start: dt.date
    days: int
    day_factor: np.ndarray
    # accounts (length n)
    account_ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    archetype: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    tier: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    size: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    licenses: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    contract_value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    tz: np.ndarray = field(default_factory=lambda: np.zeros(0))
    created_day: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    contract_start_day: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    churn_day: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # NO_DAY if it never churns
    trouble_day: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # first day trouble shows
    leave_day: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # champion leaves
    free: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    csm: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    sdr: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    parent: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # account index or -1
    intensity: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    trouble: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    module_adopt: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), int))
    champion: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # global user index
    admin: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    first_user: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    n_users: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    # users (length u)
    user_ids: list[str] = field(default_factory=list)
    user_names: list[str] = field(default_factory=list)
    user_emails: list[str] = field(default_factory=list)
    user_first: list[str] = field(default_factory=list)
    user_last: list[str] = field(default_factory=list)
    user_acct: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    user_start: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    user_end: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    user_p: np.ndarray = field(default_factory=lambda: np.zeros(0))
    user_mult: np.ndarray = field(default_factory=lambda: np.zeros(0))
    user_role: np.ndarray = field(default_factory=lambda: np.zeros(0, int))

    @property
    def n(self) -> int:
        return len(self.account_ids)

    def archetype_name(self, i: int) -> str:
        return ARCHETYPES[self.archetype[i]]

    def date(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=int(day))


def _archetype_mix(n: int, seed: int) -> np.ndarray:
    """Largest-remainder apportionment of the mix, shuffled: small samples still cover every archetype."""
    raw = ARCHETYPE_WEIGHTS * n
    counts = np.floor(raw).astype(int)
    if n >= len(ARCHETYPES):
        counts = np.maximum(counts, 1)
    while counts.sum() > n:
        counts[np.argmax(counts)] -= 1
    order = np.argsort(-(raw - np.floor(raw)), kind="stable")
    for i in order[: n - counts.sum()]:
        counts[i] += 1
    mix = np.repeat(np.arange(len(ARCHETYPES)), counts)
    np.random.default_rng([seed, 0]).shuffle(mix)
    return mix


def build_plan(
    n_accounts: int, days: int, start: dt.date, seed: int, sdr_share: float, day_factor: np.ndarray
) -> Plan:
    p = Plan(seed=seed, start=start, days=days, day_factor=day_factor)
    mix = _archetype_mix(n_accounts, seed)
    d = np.arange(days, dtype=float)
    n_mod = len(MODULES)
    arrays: dict[str, list] = {
        k: []
        for k in (
            "archetype",
            "tier",
            "size",
            "licenses",
            "contract_value",
            "tz",
            "created_day",
            "contract_start_day",
            "churn_day",
            "trouble_day",
            "leave_day",
            "free",
            "csm",
            "sdr",
            "intensity",
            "trouble",
            "module_adopt",
        )
    }
    users: dict[str, list] = {k: [] for k in ("acct", "start", "end", "p", "mult", "role")}
    champions, admins, first_users, n_users = [], [], [], []
    total_users = 0
    taken: set[str] = set()
    emails_taken: set[str] = set()

    for i in range(n_accounts):  # one iteration per account; events are sampled later, vectorized per day
        rng = np.random.default_rng([seed, 1, i + 1])
        arch = ARCHETYPES[mix[i]]
        tier = int(rng.choice(3, p=TIER_WEIGHTS))
        size = int(rng.choice(4, p=SIZE_BY_TIER[tier]))
        lic_range = ((3, 12), (10, 50), (40, 160))[tier]
        licenses = int(np.clip(np.exp(rng.uniform(np.log(lic_range[0]), np.log(lic_range[1]))), *lic_range))
        free = arch in ("healthy", "onboarding_well") and tier == 0 and rng.random() < 0.3
        contract_value = 0.0 if free else round(licenses * SEAT_PRICE[tier] * rng.uniform(0.85, 1.15), -2)
        trial = 0 if tier == 2 or rng.random() < 0.4 else 14

        # When the account starts, when trouble begins, whether and when it cancels.
        churn, trouble_day, leave = NO_DAY, NO_DAY, NO_DAY
        churns = rng.random() < CHURN_SHARE.get(arch, 0.0)
        if arch in ("churning", "sudden_drop", "slow_decline") and churns:
            lo = 0.75 if arch == "slow_decline" else 0.35
            churn = int(rng.uniform(lo * days, days - 1)) if days > 3 else days - 1
            renewal = churn + (0 if rng.random() < 0.3 else int(rng.integers(1, 46)))  # at or before renewal
            contract_start = renewal - 365 * int(rng.integers(1, 4))
            created = contract_start - trial
        elif arch in ("onboarding_well", "onboarding_stalled"):
            created = max(0, days - int(rng.uniform(20, 150)))
            contract_start = created + trial
        elif arch == "never_activated":
            created = int(rng.uniform(0, max(1, days - 40)))
            contract_start = created + trial
            if churns and created + 45 < days:
                churn = min(days - 1, created + int(rng.uniform(45, 120)))
        elif arch == "healthy" and rng.random() < 0.25:
            created = int(rng.uniform(0, 0.75 * days))
            contract_start = created + trial
        else:
            created = -int(rng.uniform(60, 900))
            contract_start = created + trial

        # A quiet cancellation, drawn from its own stream so the account's other draws do not move.
        quiet = np.random.default_rng([seed, 8, i + 1])
        if arch in QUIET_CHURN and not free and quiet.random() < QUIET_CHURN_SHARE:
            renewals = contract_start + 365 * np.arange(1, 5)
            due = renewals[(renewals >= 30) & (renewals < days)]
            if len(due):
                churn = int(due[0])

        # Activity intensity over the period (1 = a normal engaged account).
        level = float(np.clip(rng.lognormal(0.0, 0.15), 0.7, 1.2))
        wobble = 1.0 + 0.08 * np.sin(2 * np.pi * d / rng.uniform(45, 120) + rng.uniform(0, 6.3))
        curve = np.full(days, level) * wobble
        trouble = np.zeros(days)
        age = d - created
        if arch == "slow_decline":
            s = rng.uniform(0.05, 0.45) * days
            stop = min(churn, days)
            frac = np.clip((d - s) / max(stop - s, 1.0), 0.0, 1.0)
            curve *= 1.0 - 0.85 * frac
            trouble = 0.9 * frac
        elif arch == "sudden_drop":
            drop = churn - int(rng.uniform(30, 100)) if churn < NO_DAY else int(rng.uniform(0.3, 0.8) * days)
            drop = max(drop, min(10, days - 1))
            curve = np.where(d >= drop, curve * rng.uniform(0.05, 0.15), curve)
            trouble = np.where((d >= drop - 30) & (d < drop), 1.0, np.where(d >= drop, 0.6, 0.0))
        elif arch == "churning":
            end = churn if churn < NO_DAY else days + 30
            c0 = end - rng.uniform(60, 150)
            frac = np.clip((d - c0) / (end - c0), 0.0, 1.0)
            curve *= np.exp(-2.3 * frac)
            trouble = frac
            if churn == NO_DAY:  # saved: the CSM's plan worked, usage recovers at the end
                curve = np.where(d > days - 40, level * 0.8, curve)
        elif arch == "onboarding_well":
            curve *= 1.0 - np.exp(-np.clip(age, 0, None) / 10.0)
        elif arch == "onboarding_stalled":
            ramp = 0.4 * (1.0 - np.exp(-np.clip(age, 0, None) / 8.0))
            curve *= np.where(age > 30, np.maximum(0.15, ramp - 0.004 * (age - 30)), ramp)
            trouble = np.where(age > 10, 0.8, 0.2)
        elif arch == "never_activated":
            tried = rng.uniform(3, 10)
            curve = np.where(age < tried, 0.6, np.where(age < 30, 0.03, 0.0))
            trouble = np.where(age < 30, 0.5, 0.0)
        elif arch == "champion_leaving":
            leave = int(rng.uniform(0.35, 0.65) * days)
            curve = np.where(d >= leave, curve * rng.uniform(0.55, 0.7), curve)
            trouble = np.where(d >= leave, 0.4, 0.0)
        alive = (d >= created) & (d < churn)
        curve = np.where(alive, curve, 0.0)
        trouble = np.where(alive, trouble, 0.0)
        hit = np.flatnonzero(trouble >= 0.3)
        trouble_day = int(hit[0]) if len(hit) else NO_DAY

        # Modules: which ones this account adopts and when it first uses them.
        engaged = {"onboarding_stalled": 0.45, "never_activated": 0.0}.get(arch, 1.0)
        adopt_p = MODULE_ADOPTION * engaged
        adopt_p[0] = 1.0
        if tier == 2:
            adopt_p[2:5] = np.minimum(1.0, adopt_p[2:5] * 1.6)
        lag_scale = 3.0 if created < 0 else (2.5 if arch == "onboarding_stalled" else 1.0)
        adopt = created + np.ceil(rng.exponential(np.maximum(MODULE_LAG_DAYS * lag_scale, 1e-9))).astype(int)
        adopt[0] = created
        adopt = np.where(rng.random(n_mod) < adopt_p, adopt, NO_DAY)

        # Users: how many seats end up used and when each user starts (and stops).
        util = {
            "growing_to_capacity": 1.0,
            "onboarding_stalled": rng.uniform(0.15, 0.4),
            "never_activated": 0.0,
            "onboarding_well": rng.uniform(0.55, 0.9),
        }.get(arch, rng.uniform(0.55, 0.92))
        k = int(rng.integers(1, 3)) if arch == "never_activated" else max(1, round(licenses * util))
        if arch == "growing_to_capacity" and licenses >= 10 and rng.random() < 0.3:
            k += 1  # over capacity by one seat: the upgrade conversation
        if arch == "growing_to_capacity":
            n0 = max(1, round(k * rng.uniform(0.35, 0.5)))
            start = np.concatenate(
                [
                    created + np.ceil(rng.exponential(20.0, n0)),
                    np.sort(rng.uniform(0, 0.85 * days, k - n0)).round(),
                ]
            ).astype(int)
        else:
            tau = {"onboarding_well": 8.0, "onboarding_stalled": 15.0, "never_activated": 1.0}.get(arch, 20.0)
            start = (created + np.ceil(rng.exponential(tau, k))).astype(int)
            start[0] = created  # the admin who set the account up
            if created < 0 and k > 3:  # new hires joining an established account during the period
                late = rng.random(k) < 0.12
                late[:2] = False
                start = np.where(late, rng.integers(0, days, k), start)
        end = np.full(k, NO_DAY)
        if arch in ("slow_decline", "churning") and k > 2:
            leaving = rng.random(k) < 0.5
            leaving[:2] = False
            lo = max(0, trouble_day if trouble_day < NO_DAY else days // 2)
            end = np.where(leaving, rng.integers(lo, max(lo + 1, min(churn, days)), k), end)
        elif k > 4:  # ordinary turnover
            leaving = rng.random(k) < 0.05
            leaving[:2] = False
            end = np.where(leaving, rng.integers(0, days, k), end)
        start = np.maximum(start, created)
        up = rng.beta(2.2, 1.8, k)
        up[0] = rng.uniform(0.75, 0.95)
        champ_local = 1 if k > 1 else 0
        up[champ_local] = max(up[champ_local], rng.uniform(0.8, 0.95))
        if arch == "champion_leaving":
            end[champ_local] = leave
        end = np.minimum(end, churn)
        role = rng.choice(np.arange(1, len(ROLES)), size=k, p=[0.2, 0.35, 0.2, 0.25])
        role[0] = 0
        base = total_users
        total_users += k
        first_users.append(base)
        n_users.append(k)
        champions.append(base + champ_local)
        admins.append(base)
        users["acct"].append(np.full(k, i))
        users["start"].append(start)
        users["end"].append(end)
        users["p"].append(up)
        users["mult"].append(rng.lognormal(0.0, 0.35, k))
        users["role"].append(role)

        name = nm.company_name(rng, taken)
        taken.add(name)
        p.account_ids.append(f"A{i + 1:06d}")
        p.names.append(name)
        p.industries.append(nm.INDUSTRIES[rng.integers(len(nm.INDUSTRIES))])
        domain = nm.domain_for(name)
        for j in range(k):
            first = nm.FIRST_NAMES[rng.integers(len(nm.FIRST_NAMES))]
            last = nm.LAST_NAMES[rng.integers(len(nm.LAST_NAMES))]
            email, n_try = f"{first}.{last}@{domain}".lower(), 2
            while email in emails_taken:
                email, n_try = f"{first}.{last}{n_try}@{domain}".lower(), n_try + 1
            emails_taken.add(email)
            p.user_ids.append(f"U{i + 1:06d}-{j + 1:04d}")
            p.user_first.append(first)
            p.user_last.append(last)
            p.user_names.append(f"{first} {last}")
            p.user_emails.append(email)

        for key, item in (
            ("archetype", mix[i]),
            ("tier", tier),
            ("size", size),
            ("licenses", licenses),
            ("contract_value", contract_value),
            ("tz", TZ_OFFSETS[rng.choice(len(TZ_OFFSETS), p=TZ_WEIGHTS)]),
            ("created_day", created),
            ("contract_start_day", contract_start),
            ("churn_day", churn),
            ("trouble_day", trouble_day),
            ("leave_day", leave),
            ("free", free),
            ("csm", rng.integers(6)),
            ("sdr", rng.random() < sdr_share),
            ("intensity", curve.astype(np.float32)),
            ("trouble", trouble.astype(np.float32)),
            ("module_adopt", adopt),
        ):
            arrays[key].append(item)

    for key, values in arrays.items():
        setattr(p, key, np.array(values))
    if n_accounts == 0:
        p.intensity = np.zeros((0, days), np.float32)
    p.champion, p.admin = np.array(champions), np.array(admins)
    p.first_user, p.n_users = np.array(first_users), np.array(n_users)
    for key, values in users.items():
        setattr(p, f"user_{key}", np.concatenate(values))
    p.parent = _assign_parents(p)
    return p


def _assign_parents(p: Plan) -> np.ndarray:
    """A few established enterprise accounts become parents of 2-4 regional child accounts."""
    rng = np.random.default_rng([p.seed, 4])
    parent = np.full(p.n, -1)
    established = np.flatnonzero(p.created_day < 0)
    candidates = [i for i in established if p.tier[i] == 2]
    n_parents = min(len(candidates), p.n // 40 if p.n >= 40 else int(p.n >= 12))
    parents = list(rng.choice(candidates, size=n_parents, replace=False)) if n_parents else []
    pool = [i for i in established if i not in parents]
    rng.shuffle(pool)
    for par in sorted(parents):
        for r in range(int(rng.integers(2, 5))):
            if not pool:
                break
            child = pool.pop()
            parent[child] = par
            stem = " ".join(p.names[par].split(" ")[:2])
            p.names[child] = f"{stem} - {nm.REGIONS[r]}"
            p.industries[child] = p.industries[par]
    return parent
