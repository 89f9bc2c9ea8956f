"""The five recursion katas' algorithms: each as an interview answer and as shipped code.

Every module documents its time complexity and recursion depth; ``docs/katas.md``
compares them.
"""

from rehearse.katas.algorithms.binary_search import binary_search, binary_search_recursive
from rehearse.katas.algorithms.factorial import factorial, factorial_recursive
from rehearse.katas.algorithms.fibonacci import (
    fibonacci,
    fibonacci_memoized,
    fibonacci_recursive,
)
from rehearse.katas.algorithms.hanoi import Move, hanoi_moves, hanoi_recursive
from rehearse.katas.algorithms.reverse_string import (
    reverse_string,
    reverse_string_halving,
    reverse_string_recursive,
)

__all__ = [
    "Move",
    "binary_search",
    "binary_search_recursive",
    "factorial",
    "factorial_recursive",
    "fibonacci",
    "fibonacci_memoized",
    "fibonacci_recursive",
    "hanoi_moves",
    "hanoi_recursive",
    "reverse_string",
    "reverse_string_halving",
    "reverse_string_recursive",
]
