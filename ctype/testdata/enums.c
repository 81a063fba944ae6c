enum small { S_A, S_B, S_C };
enum negative { N_A = -1, N_B = 1 };
enum big { B_A = 1ULL << 32 };
enum neg_big { NB_A = -2147483649 };
enum u32_top { U_A = 0xffffffff };
enum packed_small { PS_A = 255 } __attribute__((packed));
enum packed_neg { PN_A = -129, PN_B = 127 } __packed;
enum exprs { X_A = 1 << 4, X_B = X_A | 3, X_C = ~0, X_D = (X_B * 2) % 7, X_E };
int f(enum small a0, enum negative a1, enum big a2, enum neg_big a3, enum u32_top a4,
      enum packed_small a5, enum packed_neg a6, enum exprs a7);
