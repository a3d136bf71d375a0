"""Build a history database for the history-browser benchmark: 10,000 sessions, 500,000 messages.

Text is varied (topics, names, ticket numbers, code words) so full-text search is meaningful;
one session holds 5,000 messages. Everything is deterministic (seeded). An existing file with the
right counts is reused. Run: python benchmarks/make_history_db.py [OUTPUT] (default:
$TMPDIR/smarter-tui-bench/history.sqlite3). Prints the counts and how long the build took.
"""

from __future__ import annotations

import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from smarter_tui.config.secrets import SecretStore  # noqa: E402
from smarter_tui.domain.messages import Message, Role  # noqa: E402
from smarter_tui.domain.records import SessionInfo  # noqa: E402
from smarter_tui.services import Services  # noqa: E402

SESSIONS = 10_000
MESSAGES = 500_000
LONG_SESSION = 5_000
DEFAULT_PATH = Path(tempfile.gettempdir()) / "smarter-tui-bench" / "history.sqlite3"
CLIENTS = ("general_assistant", "shop_assistant", "course_assistant")
SEED = 20240501

TOPICS: dict[str, tuple[str, ...]] = {
    "python": ("decorator", "generator", "asyncio", "dataclass", "pytest", "virtualenv", "typing", "pip"),
    "kubernetes": ("deployment", "pod", "helm", "ingress", "namespace", "kubectl", "configmap", "autoscaler"),
    "baking": ("sourdough", "starter", "hydration", "crumb", "proofing", "baguette", "levain", "oven"),
    "travel": ("itinerary", "passport", "layover", "hostel", "visa", "backpack", "railpass", "ferry"),
    "finance": ("invoice", "budget", "mortgage", "dividend", "ledger", "reconciliation", "payroll", "tax"),
    "gardening": ("compost", "tomato", "mulch", "seedling", "pruning", "perennial", "aphids", "trellis"),
    "fitness": ("deadlift", "cardio", "stretching", "protein", "marathon", "interval", "kettlebell", "rest"),
    "databases": ("postgres", "index", "sqlite", "migration", "transaction", "vacuum", "replica", "schema"),
    "music": ("chord", "guitar", "metronome", "synthesizer", "melody", "arpeggio", "tempo", "harmony"),
    "candy": ("gobstopper", "chocolate", "caramel", "licorice", "toffee", "marshmallow", "nougat", "fudge"),
    "courses": ("syllabus", "lecture", "enrolment", "certificate", "quiz", "semester", "tutor", "credits"),
    "weather": ("forecast", "humidity", "drizzle", "thunderstorm", "heatwave", "frost", "windchill", "fog"),
    "writing": ("outline", "paragraph", "metaphor", "protagonist", "chapter", "draft", "editor", "tone"),
    "networking": ("firewall", "dns", "latency", "subnet", "vpn", "router", "packet", "handshake"),
    "cooking": ("risotto", "marinade", "saffron", "braise", "umami", "skillet", "simmer", "paprika"),
    "cars": ("gearbox", "tyre", "brake", "mileage", "battery", "alternator", "coolant", "clutch"),
}
TOPIC_NAMES = tuple(TOPICS)
NAMES = (
    "Alice", "Bongani", "Chen", "Dolores", "Emeka", "Fatima", "Gustav", "Hiroshi", "Ingrid", "Jamal",
    "Katarina", "Lorenzo", "Maya", "Nikolai", "Oluwaseun", "Priya", "Quentin", "Rosa", "Sven", "Tamar",
)  # fmt: skip
CITIES = (
    "Lisbon", "Nairobi", "Osaka", "Montreal", "Valparaiso", "Tbilisi", "Reykjavik", "Hanoi", "Krakow",
    "Marrakesh", "Auckland", "Bergen", "Cusco", "Ljubljana", "Windhoek", "Tallinn",
)  # fmt: skip
QUESTIONS = (
    "How do I use {w1} with {w2} in my {topic} project?",
    "Can you explain {w1} to {name} like they are new to {topic}?",
    "What is the difference between {w1} and {w2}?",
    "My {w1} keeps failing after the {w2} step, ticket {ticket}. Any idea why?",
    "Plan a {topic} weekend in {city} around {w1} and {w2}.",
    "Summarise what we said about {w1} last time.",
    "Is {number} a sensible amount of {w1} for a beginner?",
    "Write a short checklist for {w1}, {w2} and {w3}.",
)
SENTENCES = (
    "Start with the {w1} and only then look at the {w2}.",
    "In {topic}, {w1} usually matters more than {w2} for a first attempt.",
    "{name} from {city} reported the same {w1} problem in ticket {ticket}.",
    "A common mistake is to skip {w1}; it makes the {w2} unreliable.",
    "Measure the {w1} twice: {number} is a reasonable starting point.",
    "If the {w2} still misbehaves, check the {w3} before anything else.",
    "Here is a small plan: first {w1}, then {w2}, and finally {w3}.",
    "Most people in {city} prefer {w2} over {w1}, but both work.",
    "Keep notes about every {w1} change so you can compare results later.",
    "The {w3} step is optional, although it helps when the {w1} is large.",
    "Remember that {w1} and {w2} interact, so change one thing at a time.",
    "Version {number} improved the {w1} handling noticeably.",
)


def _fill(template: str, rng: random.Random) -> str:
    topic = rng.choice(TOPIC_NAMES)
    w1, w2, w3 = rng.sample(TOPICS[topic], 3)
    return template.format(
        topic=topic,
        w1=w1,
        w2=w2,
        w3=w3,
        name=rng.choice(NAMES),
        city=rng.choice(CITIES),
        ticket=f"INC-{rng.randrange(10_000, 99_999)}",
        number=rng.randrange(2, 900),
    )


def _sizes(rng: random.Random) -> list[int]:
    """Return the message count of each session: one long session, the rest varied, summing to MESSAGES."""
    rest = SESSIONS - 1
    remaining = MESSAGES - LONG_SESSION
    sizes = [rng.randrange(3, 97) for _ in range(rest)]
    drift = remaining - sum(sizes)
    index = 0
    while drift:
        step = 1 if drift > 0 else -1
        if 3 <= sizes[index] + step <= 200:
            sizes[index] += step
            drift -= step
        index = (index + 1) % rest
    sizes.insert(rng.randrange(SESSIONS), LONG_SESSION)
    return sizes


def _sessions(rng: random.Random) -> Iterator[tuple[SessionInfo, list[Message]]]:
    """Yield (session, messages) for the whole data set, oldest first."""
    origin = datetime(2023, 1, 1, tzinfo=UTC)
    starts = sorted(rng.uniform(0, 2 * 365 * 86_400) for _ in range(SESSIONS))
    for size, start in zip(_sizes(rng), starts, strict=True):
        created = origin + timedelta(seconds=start)
        key = f"{rng.getrandbits(256):064x}"
        messages = [Message(Role.SYSTEM, "You are a helpful assistant.", created_at=created)]
        for position in range(1, size):
            at = created + timedelta(seconds=20 * position)
            if position % 2:
                messages.append(Message(Role.USER, _fill(rng.choice(QUESTIONS), rng), created_at=at))
            else:
                text = " ".join(_fill(rng.choice(SENTENCES), rng) for _ in range(rng.randrange(2, 7)))
                messages.append(Message(Role.ASSISTANT, text, created_at=at))
        updated = messages[-1].created_at
        yield SessionInfo(key, rng.choice(CLIENTS), None, created, updated), messages


def counts(path: Path) -> tuple[int, int]:
    """Return (sessions, messages) stored in the database at `path` ((0, 0) if unreadable)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            sessions = conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
            messages = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        return int(sessions), int(messages)
    except sqlite3.Error:
        return 0, 0


class _NoKeyring:
    def get_password(self, service: str, name: str) -> None:
        return None


def build(path: Path) -> tuple[int, int]:
    """Return the (sessions, messages) counts of a database at `path`, building it if needed."""
    if path.exists() and counts(path) == (SESSIONS, MESSAGES):
        print(f"reusing {path}: {SESSIONS:,} sessions, {MESSAGES:,} messages")
        return SESSIONS, MESSAGES
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    services = Services.open(path, secrets=SecretStore(_NoKeyring()), seed_examples=True)
    try:
        services.db.sessions.bulk_import(_sessions(random.Random(SEED)), batch=500)
    finally:
        services.close()
    elapsed = time.perf_counter() - started
    found = counts(path)
    size_mb = path.stat().st_size / 1e6
    print(f"built {path} in {elapsed:.1f} s: {found[0]:,} sessions, {found[1]:,} messages, {size_mb:.0f} MB")
    return found


def main() -> None:
    """Build (or reuse) the database named on the command line."""
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH
    found = build(path)
    if found != (SESSIONS, MESSAGES):
        raise SystemExit(f"unexpected counts {found}")


if __name__ == "__main__":
    main()
