OPENQASM 2.0;
include "qelib1.inc";
include "lib/broken.inc";
qreg q[1];
