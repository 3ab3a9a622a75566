OPENQASM 2.0;
include "self_include.qasm";
