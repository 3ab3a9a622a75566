"""suanli (算力): quantum circuits on a differentiable PyTorch engine, CPU and GPU.

Bit order: qubit 0 is the most significant bit of a basis-state index and the leftmost character of a
bitstring; classical bit 0 is the leftmost character of a count key (``order="qiskit"`` gives Qiskit's keys).

Examples:
    >>> import suanli
    >>> c = suanli.Circuit(2, 2).h(0).cx(0, 1).measure([0, 1], [0, 1])
    >>> suanli.sample(c, shots=100, seed=1, device="cpu").counts()
    Counts({'11': 53, '00': 47})
"""

from __future__ import annotations

from .circuit import Circuit as Circuit
from .circuit import Condition as Condition
from .circuit import GateDefinition as GateDefinition
from .circuit import Instruction as Instruction
from .circuit import Parameter as Parameter
from .circuit import ParameterExpression as ParameterExpression
from .circuit import Register as Register
from .errors import CircuitError as CircuitError
from .errors import DeviceError as DeviceError
from .errors import ObservableError as ObservableError
from .errors import ParameterError as ParameterError
from .errors import QasmError as QasmError
from .errors import QasmWarning as QasmWarning
from .errors import SimulationError as SimulationError
from .errors import SimulationTooLarge as SimulationTooLarge
from .errors import SuanliError as SuanliError
from .experiments.rcs import linear_xeb as linear_xeb
from .experiments.rcs import sycamore_circuit as sycamore_circuit
from .gates import GateSpec as GateSpec
from .gates import all_gates as all_gates
from .gates import get_gate as get_gate
from .io import dump_qasm as dump_qasm
from .io import dumps_qasm as dumps_qasm
from .io import dumps_qsim as dumps_qsim
from .io import load_qasm as load_qasm
from .io import load_qsim as load_qsim
from .io import loads_qasm as loads_qasm
from .io import loads_qsim as loads_qsim
from .nn import QuantumLayer as QuantumLayer
from .observables import Hermitian as Hermitian
from .observables import PauliSum as PauliSum
from .results import Counts as Counts
from .results import Result as Result
from .sim.statevector import expectation as expectation
from .sim.statevector import outcome_probabilities as outcome_probabilities
from .sim.statevector import probabilities as probabilities
from .sim.statevector import sample as sample
from .sim.statevector import state as state
from .sim.statevector import state_batch as state_batch
from .sim.tensornet import amplitude as amplitude

__version__ = "0.1.0"

__all__ = [
    "Circuit",
    "CircuitError",
    "Condition",
    "Counts",
    "DeviceError",
    "GateDefinition",
    "GateSpec",
    "Hermitian",
    "Instruction",
    "ObservableError",
    "Parameter",
    "ParameterError",
    "ParameterExpression",
    "PauliSum",
    "QasmError",
    "QasmWarning",
    "QuantumLayer",
    "Register",
    "Result",
    "SimulationError",
    "SimulationTooLarge",
    "SuanliError",
    "__version__",
    "all_gates",
    "amplitude",
    "dump_qasm",
    "dumps_qasm",
    "dumps_qsim",
    "expectation",
    "get_gate",
    "linear_xeb",
    "load_qasm",
    "load_qsim",
    "loads_qasm",
    "loads_qsim",
    "outcome_probabilities",
    "probabilities",
    "sample",
    "state",
    "state_batch",
    "sycamore_circuit",
]
