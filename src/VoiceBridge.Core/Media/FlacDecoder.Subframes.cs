namespace VoiceBridge.Media;

internal static partial class FlacDecoder
{
    private static void Subframe(ref BitReader bits, int bitsPerSample, Span<long> samples)
    {
        if (bits.Read(1) != 0)
        {
            throw new FlacException("subframe padding bit set");
        }

        var type = (int)bits.Read(6);
        var wasted = 0;
        if (bits.Read(1) == 1)
        {
            wasted = bits.ReadUnary(bitsPerSample - 1) + 1;
            bitsPerSample -= wasted;
        }

        switch (type)
        {
            case 0:
                samples.Fill(bits.ReadSigned(bitsPerSample));
                break;
            case 1:
                for (var i = 0; i < samples.Length; i++)
                {
                    samples[i] = bits.ReadSigned(bitsPerSample);
                }

                break;
            case >= 8 and <= 12:
                Fixed(ref bits, bitsPerSample, type - 8, samples);
                break;
            case >= 32:
                Lpc(ref bits, bitsPerSample, type - 31, samples);
                break;
            default:
                throw new FlacException($"reserved subframe type {type}");
        }

        if (wasted > 0)
        {
            for (var i = 0; i < samples.Length; i++)
            {
                samples[i] <<= wasted;
            }
        }
    }

    private static void Fixed(ref BitReader bits, int bitsPerSample, int order, Span<long> s)
    {
        WarmUp(ref bits, bitsPerSample, order, s);
        Residual(ref bits, order, s);
        for (var i = order; i < s.Length; i++)
        {
            s[i] += order switch
            {
                0 => 0,
                1 => s[i - 1],
                2 => (2 * s[i - 1]) - s[i - 2],
                3 => (3 * s[i - 1]) - (3 * s[i - 2]) + s[i - 3],
                _ => (4 * s[i - 1]) - (6 * s[i - 2]) + (4 * s[i - 3]) - s[i - 4],
            };
        }
    }

    private static void Lpc(ref BitReader bits, int bitsPerSample, int order, Span<long> s)
    {
        WarmUp(ref bits, bitsPerSample, order, s);
        var precision = (int)bits.Read(4) + 1;
        if (precision == 16)
        {
            throw new FlacException("invalid LPC coefficient precision");
        }

        var shift = bits.ReadSigned(5);
        if (shift < 0)
        {
            throw new FlacException($"negative LPC shift {shift}");
        }

        Span<long> coefficients = stackalloc long[order];
        for (var j = 0; j < order; j++)
        {
            coefficients[j] = bits.ReadSigned(precision);
        }

        Residual(ref bits, order, s);
        for (var i = order; i < s.Length; i++)
        {
            long sum = 0;
            for (var j = 0; j < order; j++)
            {
                sum += coefficients[j] * s[i - j - 1];
            }

            s[i] += sum >> (int)shift;
        }
    }

    private static void WarmUp(ref BitReader bits, int bitsPerSample, int order, Span<long> s)
    {
        if (order > s.Length)
        {
            throw new FlacException($"predictor order {order} over a block of {s.Length} samples");
        }

        for (var i = 0; i < order; i++)
        {
            s[i] = bits.ReadSigned(bitsPerSample);
        }
    }

    /// <summary>The partitioned Rice residual (RFC 9639 9.2.7), written after the warm-up samples.</summary>
    private static void Residual(ref BitReader bits, int order, Span<long> s)
    {
        var method = (int)bits.Read(2);
        if (method > 1)
        {
            throw new FlacException($"reserved residual coding method {method}");
        }

        var parameterBits = method == 0 ? 4 : 5;
        var escape = (1 << parameterBits) - 1;
        var partitionOrder = (int)bits.Read(4);
        var partitions = 1 << partitionOrder;
        if (s.Length % partitions != 0 || (s.Length >> partitionOrder) < order)
        {
            throw new FlacException($"residual partition order {partitionOrder} does not fit a block of {s.Length} samples after {order} warm-up samples");
        }

        var i = order;
        for (var p = 0; p < partitions; p++)
        {
            var count = (s.Length >> partitionOrder) - (p == 0 ? order : 0);
            var parameter = (int)bits.Read(parameterBits);
            if (parameter == escape)
            {
                var width = (int)bits.Read(5);
                for (var n = 0; n < count; n++)
                {
                    s[i++] = width == 0 ? 0 : bits.ReadSigned(width);
                }

                continue;
            }

            for (var n = 0; n < count; n++)
            {
                var quotient = (long)bits.ReadUnary(MaxRiceQuotient);
                var folded = (quotient << parameter) | (long)bits.Read(parameter);
                s[i++] = (folded >> 1) ^ -(folded & 1);
            }
        }
    }

    private static void Decorrelate(int assignment, long[][] c, int blockSize)
    {
        for (var i = 0; i < blockSize; i++)
        {
            switch (assignment)
            {
                case 8:
                    c[1][i] = c[0][i] - c[1][i];
                    break;
                case 9:
                    c[0][i] += c[1][i];
                    break;
                case 10:
                    var mid = (c[0][i] << 1) | (c[1][i] & 1);
                    var side = c[1][i];
                    c[0][i] = (mid + side) >> 1;
                    c[1][i] = (mid - side) >> 1;
                    break;
            }
        }
    }
}
