# Verifies the header checksum of the IPv4 packet in memory (r1 = data, r2 = length):
# returns 1 when the ones'-complement sum of the header is 0xffff, 0 otherwise.
jlt %r2, 20, bad
ldxb %r3, [%r1]
and %r3, 0x0f
lsh %r3, 2              # header length in bytes
jgt %r3, %r2, bad
mov %r4, 0              # offset
mov %r5, 0              # sum
next:
jge %r4, %r3, fold
mov %r6, %r1
add %r6, %r4
ldxh %r7, [%r6]
be16 %r7
add %r5, %r7
add %r4, 2
ja next
fold:
mov %r6, %r5
rsh %r6, 16
and %r5, 0xffff
add %r5, %r6
mov %r6, %r5
rsh %r6, 16
add %r5, %r6
and %r5, 0xffff
mov %r0, 1
jeq %r5, 0xffff, out
bad:
mov %r0, 0
out:
exit
