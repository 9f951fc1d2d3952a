"""The advisor core: load and check a rule base, evaluate cases, compose answers.

Nothing outside this package imports durable_rules.
"""

from .advisor import ENGINES, Advisor, EngineName
from .answer import Answer, Message, compose_answer
from .errors import AdvisorError, EngineError, FactError, Location, RuleFileError
from .facts import Case, Origin, read_case
from .loader import DEFAULT_RULES_DIR, load_rule_base
from .model import RuleBase
from .source import Document, parse_document, read_document
from .trace import Firing, Outcome

__all__ = [
    "DEFAULT_RULES_DIR",
    "ENGINES",
    "Advisor",
    "AdvisorError",
    "Answer",
    "Case",
    "Document",
    "EngineName",
    "EngineError",
    "FactError",
    "Firing",
    "Location",
    "Message",
    "Origin",
    "Outcome",
    "RuleBase",
    "RuleFileError",
    "compose_answer",
    "load_rule_base",
    "parse_document",
    "read_case",
    "read_document",
]
