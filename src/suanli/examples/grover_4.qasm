OPENQASM 2.0;
include "qelib1.inc";
// Grover search over 16 items (4 qubits) for the marked item 1011 (q[0]=1, q[1]=0, q[2]=1, q[3]=1).
// Three iterations of oracle + diffuser find it with probability 0.961.
// In Qiskit's key order (classical bit 0 rightmost) the same outcome reads 1101.

// Controlled-controlled-controlled Z: a phase of -1 on |1111>, from controlled phases (Gray code).
gate c3z a,b,c,d
{
  cu1(pi/4) a,d;
  cx a,b;
  cu1(-pi/4) b,d;
  cx a,b;
  cu1(pi/4) b,d;
  cx b,c;
  cu1(-pi/4) c,d;
  cx a,c;
  cu1(pi/4) c,d;
  cx b,c;
  cu1(-pi/4) c,d;
  cx a,c;
  cu1(pi/4) c,d;
}

// Oracle: flip the sign of |1011>.
gate oracle a,b,c,d
{
  x b;
  c3z a,b,c,d;
  x b;
}

// Diffuser: reflection about the uniform superposition (up to a global phase).
gate diffuser a,b,c,d
{
  h a; h b; h c; h d;
  x a; x b; x c; x d;
  c3z a,b,c,d;
  x a; x b; x c; x d;
  h a; h b; h c; h d;
}

qreg q[4];
creg c[4];
h q;
oracle q[0],q[1],q[2],q[3];
diffuser q[0],q[1],q[2],q[3];
oracle q[0],q[1],q[2],q[3];
diffuser q[0],q[1],q[2],q[3];
oracle q[0],q[1],q[2],q[3];
diffuser q[0],q[1],q[2],q[3];
measure q -> c;
