OPENQASM 2.0;
include "qelib1.inc";
  include "lib/no_such_file.inc";
qreg q[1];
