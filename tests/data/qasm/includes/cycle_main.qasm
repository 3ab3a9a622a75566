OPENQASM 2.0;
include "qelib1.inc";
include "cycle_a.inc";
qreg q[1];
