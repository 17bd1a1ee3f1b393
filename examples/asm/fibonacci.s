# Fibonacci number n (r1 points to a u32 n): a loop with 64-bit arithmetic.
# F(94) no longer fits in 64 bits, so larger n give 0; the bound also lets the verifier
# prove that the loop ends.
ldxw %r2, [%r1]
mov %r0, 0
jgt %r2, 93, done
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
