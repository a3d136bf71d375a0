"""Full-text search of messages and memories: FTS5 on SQLite, tsvector + GIN on PostgreSQL.

User text never becomes query syntax: it is reduced to word tokens, each quoted (FTS5) or made of
letters and digits only (tsquery). Both engines stem English words and keep stop words, so the
same query finds the same messages; ranking is FTS5's bm25 on SQLite and `ts_rank` on
PostgreSQL. On both only the newest CANDIDATES matches are ranked, so a word found in every
message costs a bounded index walk instead of ranking (and highlighting) half a million rows.
"""

from __future__ import annotations

import re
from typing import Any

import peewee

from smarter_tui.storage.migrations import PG_SEARCH_CONFIG

_TOKEN = re.compile(r"\w+", re.UNICODE)
#: PostgreSQL tokens: letters and digits only (underscores split words, as FTS5's unicode61 does).
_PG_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

#: Most matches PostgreSQL ranks for one search (the newest ones).
CANDIDATES = 2000

#: Words too common to help find a memory ("What is my favourite colour?" -> favourite, colour).
_STOP_WORDS_TEXT = """a about above after again all am an and any are as at be been before being below between
    both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just know
    let me more most my myself no nor not now of off on once only or other our ours ourselves out
    over own please remember same she should so some such tell than that the their theirs them
    themselves then there these they this those through to too under until up user very was we
    were what when where which while who whom why will with would you your yours yourself
    yourselves"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_WORDS_TEXT.split())


def is_postgres(db: peewee.Database) -> bool:
    """Return True when `db` is a PostgreSQL database."""
    return isinstance(db, peewee.PostgresqlDatabase)


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts_all_tokens(text: str) -> str | None:
    """Return an FTS5 query matching every word of user text (last one as a prefix), or None.

    Only word characters survive and each token is a quoted string, so no user input (quotes,
    `AND(`, `*`, `NEAR`, apostrophes) can form FTS5 syntax.
    """
    tokens = _TOKEN.findall(text)
    if not tokens:
        return None
    quoted = [_quote(t) for t in tokens]
    quoted[-1] += "*"
    return " ".join(quoted)


def memory_words(text: str) -> list[str]:
    """Return the distinct meaningful words of user text for a memory search (maybe none).

    Stop words and one-letter tokens are dropped unless nothing else is left.
    """
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    meaningful = [t for t in tokens if len(t) > 1 and t not in STOP_WORDS]
    chosen = meaningful or [t for t in tokens if len(t) > 1] or tokens
    return list(dict.fromkeys(chosen))


def fts_any_token(text: str) -> str | None:
    """Return an FTS5 query matching any meaningful word of user text, or None if it has none."""
    words = memory_words(text)
    return " OR ".join(_quote(t) for t in words) if words else None


def tsquery_all_tokens(text: str) -> str | None:
    """Return a to_tsquery text matching every word of user text (last as a prefix), or None."""
    tokens = [t.lower() for t in _PG_TOKEN.findall(text)]
    if not tokens:
        return None
    return " & ".join(f"'{t}'" for t in tokens) + ":*"


def tsquery_any_token(text: str) -> str | None:
    """Return a to_tsquery text matching any meaningful word of user text, or None."""
    words = [p for w in memory_words(text) for p in _PG_TOKEN.findall(w)]
    return " | ".join(f"'{t}'" for t in dict.fromkeys(words)) if words else None


#: One message hit: session_key, position, role, snippet, title, client, score (higher is better).
MessageHit = tuple[str, int, str, str | None, str | None, str, float]

# As on PostgreSQL, only the newest CANDIDATES matches are ranked: FTS5 walks the word's doclist
# backwards and stops there. Snippets are made afterwards for the hits returned only, in one walk
# over the rowid range they span ((rowid + 0) keeps the IN list out of FTS5's index choice: a
# lookup per rowid would reload the whole doclist of a common word once per hit).
_SQLITE_RANKED = f"""
SELECT c.id, s.session_key, m.position, m.role, s.title, s.client, c.score
FROM (SELECT rowid AS id, -bm25(message_fts) AS score FROM message_fts
      WHERE message_fts MATCH ? ORDER BY rowid DESC LIMIT {CANDIDATES}) AS c
JOIN messages AS m ON m.id = c.id JOIN sessions AS s ON s.id = m.session_id
ORDER BY c.score DESC, c.id DESC LIMIT ?
"""
_SQLITE_SNIPPETS = (
    "SELECT rowid, snippet(message_fts, 0, ?, ?, '…', 12) FROM message_fts "
    "WHERE message_fts MATCH ? AND rowid BETWEEN ? AND ? AND (rowid + 0) IN ({ids})"
)


def _sqlite_messages(db: peewee.Database, match: str, highlight: tuple[str, str], limit: int) -> list[Any]:
    ranked = db.execute_sql(_SQLITE_RANKED, (match, limit)).fetchall()  # type: ignore[no-untyped-call]
    if not ranked:
        return []
    ids = [row[0] for row in ranked]
    sql = _SQLITE_SNIPPETS.format(ids=", ".join("?" * len(ids)))
    params = (*highlight, match, min(ids), max(ids), *ids)
    snippets = dict(db.execute_sql(sql, params).fetchall())  # type: ignore[no-untyped-call]
    return [
        (key, pos, role, snippets.get(i), title, client, score)
        for i, key, pos, role, title, client, score in ranked
    ]


# The inner query walks either the GIN index (a rare word) or the id index backwards (a common
# one; the planner picks) and stops at CANDIDATES rows; only those are ranked and highlighted.
_PG_MESSAGES = f"""
SELECT s.session_key, m.position, m.role,
       ts_headline('{PG_SEARCH_CONFIG}', coalesce(m.content, ''), q.query,
                   'StartSel=' || %s || ', StopSel=' || %s || ', MaxWords=12, MinWords=4, '
                   'ShortWord=1, MaxFragments=1, FragmentDelimiter=…'),
       s.title, s.client, c.score
FROM (SELECT m.id, ts_rank(m.content_tsv, q.query, 1) AS score
      FROM (SELECT m.id, m.content_tsv FROM messages AS m
            WHERE m.content_tsv @@ to_tsquery('{PG_SEARCH_CONFIG}', %s)
            ORDER BY m.id DESC LIMIT {CANDIDATES}) AS m,
           to_tsquery('{PG_SEARCH_CONFIG}', %s) AS q(query)
      ORDER BY score DESC, m.id DESC LIMIT %s) AS c
JOIN messages AS m ON m.id = c.id
JOIN sessions AS s ON s.id = m.session_id,
     to_tsquery('{PG_SEARCH_CONFIG}', %s) AS q(query)
ORDER BY c.score DESC, m.id DESC
"""


def search_messages(db: peewee.Database, text: str, highlight: tuple[str, str], limit: int) -> list[Any]:
    """Return the best message hits for user text (every word, last one as a prefix)."""
    if limit <= 0:
        return []
    if is_postgres(db):
        query = tsquery_all_tokens(text)
        if query is None:
            return []
        params: tuple[Any, ...] = (*highlight, query, query, limit, query)
        return list(db.execute_sql(_PG_MESSAGES, params).fetchall())  # type: ignore[no-untyped-call]
    match = fts_all_tokens(text)
    if match is None:
        return []
    return _sqlite_messages(db, match, highlight, min(limit, CANDIDATES))


def search_memories(db: peewee.Database, text: str, limit: int) -> list[str]:
    """Return the texts of memories sharing any meaningful word with user text, best first."""
    if limit <= 0:
        return []
    if is_postgres(db):
        query = tsquery_any_token(text)
        if query is None:
            return []
        sql = (
            f"SELECT m.text FROM memories AS m, to_tsquery('{PG_SEARCH_CONFIG}', %s) AS q(query) "
            "WHERE m.text_tsv @@ q.query ORDER BY ts_rank(m.text_tsv, q.query, 1) DESC, m.id DESC LIMIT %s"
        )
        params: tuple[Any, ...] = (query, limit)
    else:
        match = fts_any_token(text)
        if match is None:
            return []
        sql = (
            "SELECT m.text FROM memory_fts JOIN memories AS m ON m.id = memory_fts.rowid "
            "WHERE memory_fts MATCH ? ORDER BY bm25(memory_fts), m.id DESC LIMIT ?"
        )
        params = (match, limit)
    return [text for (text,) in db.execute_sql(sql, params).fetchall()]  # type: ignore[no-untyped-call]
