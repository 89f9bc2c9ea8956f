"""Titles as the importer compares them: slugs, normalised titles and content words.

Slugs are the natural keys of topics and questions, so `slugify_title` must give the same
answer for the same title forever; the other helpers let the sheet layout pair an answer
titled "SSL Certificate" with the question "Certificates" the way a reader would.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

SLUG_MAX_LENGTH = 80

# Letters that NFKD does not decompose into an ASCII base letter.
_LATIN = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "Th",
        "\u0131": "i",  # dotless i
    }
)
# Apostrophes join a word ("don't", "user's") rather than split it.
_APOSTROPHES = re.compile(r"['\u2019\u02bc]")
_WORD = re.compile(r"[^\W_]+")
_BOLD = re.compile(r"\*\*(.+)\*\*")
_NUMBERING = re.compile(r"\d{1,9}[.)]\s+")

# Words that say nothing about a question's subject, so they never make two titles similar.
# fmt: off
STOPWORDS = frozenset((
    "a", "about", "all", "an", "and", "any", "are", "as", "at", "be", "been", "being",
    "between", "but", "by", "can", "could", "did", "do", "does", "done", "e", "eg", "etc",
    "for", "from", "g", "how", "i", "ie", "if", "in", "into", "is", "it", "its", "may", "me",
    "might", "must", "my", "no", "not", "of", "on", "onto", "or", "our", "over", "s", "shall",
    "should", "so", "some", "t", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "those", "to", "under", "v", "versus", "via", "vs", "was", "we",
    "were", "what", "when", "where", "which", "who", "whom", "whose", "why", "will", "with",
    "without", "would", "you", "your",
))
# fmt: on


def slugify_title(title: str) -> str:
    """A lowercase ASCII slug for a title, at most 80 characters, cut at a word boundary.

    "HTTP vs. HTTPS" -> "http-vs-https", "TLS/SSL" -> "tls-ssl". A title that has no
    letter or digit with an ASCII form (say, one written in Cyrillic) gets "t-" and a hash of
    the title instead, so it still has a stable key. A blank title gives "".
    """
    if not title.strip():
        return ""
    ascii_text = (
        unicodedata.normalize("NFKD", _APOSTROPHES.sub("", title.translate(_LATIN)))
        .encode("ascii", "ignore")
        .decode("ascii")
        .lower()
    )
    slug = ""
    for word in re.findall(r"[a-z0-9]+", ascii_text):
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > SLUG_MAX_LENGTH:
            # A single word longer than the limit is cut; otherwise stop before the word.
            slug = slug or word[:SLUG_MAX_LENGTH]
            break
        slug = candidate
    if slug:
        return slug
    digest = hashlib.sha256(unicodedata.normalize("NFC", title.strip()).encode()).hexdigest()
    return f"t-{digest[:12]}"


def clean_title(text: str) -> str:
    """A sheet topic heading as a reader names it: no numbering, bold or final colon.

    "1. **Recursion**" -> "Recursion", "Practice Coding Examples:" -> the same, colon-less.
    """
    text = collapse(text)
    previous = None
    while text != previous:
        previous = text
        numbering = _NUMBERING.match(text)
        if numbering:
            text = text[numbering.end() :]
        text = unbold(text.removesuffix(":").strip())
    return text


def unbold(text: str) -> str:
    """The text without bold markers around all of it."""
    bold = _BOLD.fullmatch(text)
    if bold and "**" not in bold.group(1):
        return bold.group(1).strip()
    return text


def collapse(text: str) -> str:
    return " ".join(text.split())


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", _APOSTROPHES.sub("", text)).casefold()
    return _WORD.findall(folded)


def normalize_title(title: str) -> str:
    """The title for exact matching: case, punctuation and spacing do not count."""
    return " ".join(_words(title))


def stem(word: str) -> str:
    """A light stem, enough for plurals and a silent e: certificates ~ certificate."""
    if len(word) <= 3:
        return word
    if word.endswith("ies"):
        word = word[:-3] + "i"
    elif word.endswith("es") and word[:-2].endswith(("s", "x", "z", "ch", "sh")):
        word = word[:-2]
    elif (
        word.endswith("s")
        and not word.endswith(("ss", "us", "is"))
        # "https" is not the plural of "http".
        and re.search(r"[aeiouy]", word[:-1]) is not None
    ):
        word = word[:-1]
    if len(word) <= 3:
        return word
    if word.endswith("e"):
        return word[:-1]
    if word.endswith("y"):
        return word[:-1] + "i"
    return word


def content_words(text: str) -> frozenset[str]:
    """The stems of the words in a text that can tell one subject from another."""
    return frozenset(stem(word) for word in _words(text) if word not in STOPWORDS)
