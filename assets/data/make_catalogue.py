"""Build the demo course catalogue used by assets/manifests/course_catalogue.yaml.

Run `python assets/data/make_catalogue.py` to (re)create catalogue.sqlite3 beside this script.
The output is deterministic: same rows, same order, every time.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

COURSES: list[tuple[str, str, float, str, str]] = [
    (
        "PY101",
        "Python for Beginners",
        199.0,
        "beginner",
        "Variables, loops, functions and files: your first real Python programs.",
    ),
    (
        "PY201",
        "Intermediate Python",
        349.0,
        "intermediate",
        "Packages, classes, generators, typing and testing with pytest.",
    ),
    (
        "PY301",
        "Advanced Python: Concurrency and Performance",
        549.0,
        "advanced",
        "asyncio, threads and processes, profiling, and writing fast Python.",
    ),
    (
        "PY210",
        "Python for Data Analysis",
        399.0,
        "intermediate",
        "pandas, NumPy and matplotlib on real-world data sets.",
    ),
    (
        "PY220",
        "Web APIs with Python and FastAPI",
        429.0,
        "intermediate",
        "Design, build, document and test an HTTP API.",
    ),
    (
        "PY330",
        "Machine Learning with Python",
        649.0,
        "advanced",
        "scikit-learn pipelines, model evaluation and deployment.",
    ),
    (
        "SQL101",
        "SQL Fundamentals",
        149.0,
        "beginner",
        "SELECT, JOIN, GROUP BY and indexes, on SQLite and PostgreSQL.",
    ),
    (
        "SQL201",
        "PostgreSQL for Developers",
        299.0,
        "intermediate",
        "Transactions, window functions, JSON columns and query plans.",
    ),
    (
        "JS101",
        "JavaScript Essentials",
        179.0,
        "beginner",
        "The language of the browser: syntax, DOM and fetch.",
    ),
    ("JS220", "React in Practice", 449.0, "intermediate", "Components, hooks, state management and testing."),
    ("DO101", "Docker and Containers", 249.0, "beginner", "Images, containers, volumes and compose files."),
    (
        "DO201",
        "Kubernetes for Application Developers",
        499.0,
        "intermediate",
        "Deployments, services, config maps and Helm charts.",
    ),
    (
        "AI101",
        "Prompt Engineering Basics",
        99.0,
        "beginner",
        "Writing prompts, system roles and tool calling with LLMs.",
    ),
    (
        "AI210",
        "Building LLM Assistants with Tool Calling",
        379.0,
        "intermediate",
        "Plugins, function calling, retrieval and evaluation of assistants.",
    ),
    (
        "SEC101",
        "Secure Coding in Python",
        229.0,
        "beginner",
        "Injection, secrets handling, dependency hygiene and threat modelling.",
    ),
]


def build(path: Path) -> None:
    """Create (or replace) the catalogue database at `path`."""
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE courses ("
            " code TEXT PRIMARY KEY,"
            " title TEXT NOT NULL,"
            " price REAL NOT NULL,"
            " level TEXT NOT NULL CHECK (level IN ('beginner', 'intermediate', 'advanced')),"
            " description TEXT NOT NULL)"
        )
        db.executemany("INSERT INTO courses VALUES (?, ?, ?, ?, ?)", COURSES)
    db.close()


if __name__ == "__main__":
    target = Path(__file__).resolve().with_name("catalogue.sqlite3")
    build(target)
    print(f"wrote {len(COURSES)} courses to {target}")
