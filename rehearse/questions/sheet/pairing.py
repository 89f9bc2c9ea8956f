"""Pairing the answers of one sheet topic with its questions, as a reader would.

An interview sheet lists a topic's questions and, later, its answers under titles that only
sometimes repeat the question's ("JWT Authentication" answers "Authentication: Explain how
to implement JWT authentication ..."). The pairing goes in three rounds:

1. exact titles: the same words once case and punctuation are ignored;
2. wording: every remaining (question, answer) pair is scored by how much of the answer's
   title the question's title and prompt mention, and the best pairs are taken first across
   the whole topic, so an answer goes to the question it fits best, not the first that fits;
3. position: if as many questions as answers are still unpaired, the n-th goes with the n-th.

Rounds 2 and 3 say how sure they are; an answer that no round pairs stays unpaired.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from rehearse.questions.sheet.words import content_words, normalize_title

# A score is 0.6 * coverage + 0.4 * title similarity (see `score`). Below MIN_SCORE the
# answer shares at most half of its words with the question's prompt alone, or one word in
# three overall: too little to pair on. MIN_SCORE is reached, for example, by a two-word answer
# title with one word in the question's prompt.
MIN_SCORE = 0.25
# A pairing is "sure" from SURE_SCORE up (all of the answer's words are in the prompt, or
# most of them and some in the title) and when no other open question or answer comes
# within MARGIN of it; otherwise a person should look at it.
SURE_SCORE = 0.5
MARGIN = 0.15


class Method(enum.Enum):
    TITLE = "title"
    WORDING = "wording"
    POSITION = "position"


@dataclass(frozen=True)
class Match:
    question: int  # index into the questions given to `match_answers`
    answer: int  # index into the answers
    method: Method
    confidence: float
    sure: bool


def score(answer_title: str, question_title: str, question_prompt: str) -> float:
    """How well an answer's title fits a question, from 0 to 1.

    Coverage is the share of the answer title's content words that the question mentions
    in its title or prompt; similarity is the Dice coefficient of the two titles. Coverage
    weighs more because sheets often title a question with one general word
    ("Certificates") and put the subject of the answer in the prompt.
    """
    answer = content_words(answer_title)
    if not answer:
        return 0.0
    title = content_words(question_title)
    mentioned = title | content_words(question_prompt)
    coverage = len(answer & mentioned) / len(answer)
    similarity = 2 * len(answer & title) / (len(answer) + len(title))
    return round(0.6 * coverage + 0.4 * similarity, 3)


def match_answers(questions: Sequence[tuple[str, str]], answers: Sequence[str]) -> list[Match]:
    """Pair answer titles with (title, prompt) questions; unpaired ones are left out."""
    matches: list[Match] = []
    open_questions = list(range(len(questions)))
    open_answers = list(range(len(answers)))

    normalized_answers = [normalize_title(title) for title in answers]
    for q in list(open_questions):
        wanted = normalize_title(questions[q][0])
        a = next((a for a in open_answers if normalized_answers[a] == wanted), None)
        if a is not None:
            matches.append(Match(q, a, Method.TITLE, 1.0, True))
            open_questions.remove(q)
            open_answers.remove(a)

    scores = {
        (q, a): score(answers[a], *questions[q]) for q in open_questions for a in open_answers
    }
    # Questions and answers taken by a pairing that was a close call still count as rivals:
    # if that call was wrong, the pairings made after it may be wrong too.
    doubtful_questions: list[int] = []
    doubtful_answers: list[int] = []
    while True:
        candidates = [
            (q, a) for q in open_questions for a in open_answers if scores[q, a] >= MIN_SCORE
        ]
        if not candidates:
            break
        # Ties go to the pair whose places in the two lists are closest, then to the earliest.
        q, a = min(candidates, key=lambda pair: (-scores[pair], abs(pair[0] - pair[1]), pair))
        best = scores[q, a]
        rivals = [scores[q, other] for other in open_answers + doubtful_answers if other != a]
        rivals += [scores[other, a] for other in open_questions + doubtful_questions if other != q]
        sure = best >= SURE_SCORE and best - max(rivals, default=0.0) >= MARGIN
        matches.append(Match(q, a, Method.WORDING, best, sure))
        open_questions.remove(q)
        open_answers.remove(a)
        if not sure:
            doubtful_questions.append(q)
            doubtful_answers.append(a)

    if open_questions and len(open_questions) == len(open_answers):
        for q, a in zip(open_questions, open_answers, strict=True):
            matches.append(Match(q, a, Method.POSITION, scores[q, a], False))

    return sorted(matches, key=lambda match: match.question)
