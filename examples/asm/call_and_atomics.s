# Sums 1..10 through a bpf-to-bpf call and atomic adds on the stack.
mov %r1, 0
stxdw [%r10-8], %r1
mov %r6, 1
again:
mov %r1, %r6
call local square_minus_self_plus_self
mov %r2, %r0
lock add [%r10-8], %r2
add %r6, 1
jle %r6, 10, again
ldxdw %r0, [%r10-8]
exit
square_minus_self_plus_self:
mov %r0, %r1
mul %r0, %r1
sub %r0, %r1
div %r0, %r1
add %r0, 1
exit
