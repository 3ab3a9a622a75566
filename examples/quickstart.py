"""The Python example of the README: build a circuit, look at its state, sample it, take an expectation."""

import suanli
from suanli import Circuit, PauliSum

c = Circuit(3, 3).h(0).cx(0, 1).x(2).measure([0, 1, 2], [0, 1, 2])  # (|001> + |111>)/sqrt(2)
print(suanli.state(c))  # amplitude 0.7071 at index 1 (|001>) and index 7 (|111>)
result = suanli.sample(c, shots=1000, seed=7)  # on CUDA when available, else the CPU
print(result.counts())  # keys '001' and '111': classical bit 0 is the leftmost character
print(result.counts(order="qiskit"))  # keys '100' and '111': Qiskit's order, bit 0 rightmost
obs = PauliSum.from_string("Z0*Z1 + 0.5*Z2")
print(float(suanli.expectation(c, obs)))  # <Z0 Z1> + 0.5 <Z2> = 1 - 0.5 = 0.5
