# Fibonacci number n (r1 points to a u32 n): a loop with 64-bit arithmetic.
ldxw %r2, [%r1]
mov %r0, 0
mov %r3, 1
loop:
jeq %r2, 0, done
mov %r4, %r0
add %r4, %r3
mov %r0, %r3
mov %r3, %r4
sub %r2, 1
ja loop
done:
exit
