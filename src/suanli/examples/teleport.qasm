OPENQASM 2.0;
include "qelib1.inc";
// Quantum teleportation of the state u3(1.2,0.4,0.3)|0> from q[0] to q[2].
// The two mid-circuit measurements go to m and c; the corrections on q[2] are conditioned on them.
// Undoing the preparation on q[2] must give |0>, so the bit in `result` is always 0,
// while m and c are uniformly random.
qreg q[3];
creg m[1];
creg c[1];
creg result[1];
u3(1.2,0.4,0.3) q[0];
h q[1];
cx q[1],q[2];
barrier q;
cx q[0],q[1];
h q[0];
measure q[0] -> m[0];
measure q[1] -> c[0];
if(c==1) x q[2];
if(m==1) z q[2];
u3(-1.2,-0.3,-0.4) q[2];
measure q[2] -> result[0];
