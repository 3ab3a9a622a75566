// Fixture for tests/io/test_qasm_reader.py: includes resolve relative to the including file.
OPENQASM 2.0;
include "qelib1.inc";
include "lib/gates.inc";
qreg q[2];
bell q[0],q[1];
twist(pi/4) q[1];
