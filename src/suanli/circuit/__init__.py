"""Circuit IR: :class:`Circuit`, :class:`Instruction`, :class:`Parameter` and friends."""

from .circuit import Circuit as Circuit
from .instruction import Condition as Condition
from .instruction import GateDefinition as GateDefinition
from .instruction import Instruction as Instruction
from .instruction import Register as Register
from .parameter import Parameter as Parameter
from .parameter import ParameterExpression as ParameterExpression

__all__ = ["Circuit", "Condition", "GateDefinition", "Instruction", "Parameter", "ParameterExpression", "Register"]
