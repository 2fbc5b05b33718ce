namespace VoiceBridge.Fuzzing;

internal sealed partial class FuzzMutator
{
    private const int MaxTokens = 256;

    /// <summary>JSON values and shapes that parsers get wrong: wrong types, lone surrogates, NUL, deep nesting, huge numbers.</summary>
    private static readonly byte[][] JsonTokens =
    [
        .. Utf8("null", "true", "false", "0", "-1", "1e400", "\"\"", "{}", "[]", "\"\\u0000\"", "\"\\uD800\"", "\"\\\"", "\"a\":",
            "{\"type\":", "\"type\"", ",", ":", "\"AAAA\"", "\"====\"", "\"\u00e9\u4e2d\""),
        [.. Enumerable.Repeat((byte)'[', 200)],
        [.. Enumerable.Repeat((byte)'{', 100)],
        [.. Enumerable.Range(0, 300).SelectMany(_ => "{\"a\":"u8.ToArray())],
    ];

    private readonly int[] _tokenStarts = new int[MaxTokens];
    private readonly int[] _tokenLengths = new int[MaxTokens];

    /// <summary>
    /// Swaps one JSON token (a string, number, literal or bracket) for another token of the same input or
    /// for one of <see cref="JsonTokens"/>: a field of the wrong type, an event name on another event's
    /// shape, a value nested too deep. On text that is not JSON it still swaps words and punctuation.
    /// </summary>
    private void SwapJsonToken(ref FuzzRandom random)
    {
        int tokens = ScanTokens(random.Next(_length + 1));
        if (tokens == 0)
        {
            return;
        }

        int target = random.Next(tokens);
        if (random.OneIn(2) && tokens > 1)
        {
            int source = random.Next(tokens);
            int length = _tokenLengths[source];
            _buffer.AsSpan(_tokenStarts[source], length).CopyTo(_token);
            Replace(_tokenStarts[target], _tokenLengths[target], _token.AsSpan(0, length));
        }
        else
        {
            Replace(_tokenStarts[target], _tokenLengths[target], JsonTokens[random.Next(JsonTokens.Length)]);
        }
    }

    /// <summary>Finds up to <see cref="MaxTokens"/> tokens from <paramref name="from"/> on, wrapping to the start.</summary>
    private int ScanTokens(int from)
    {
        int count = 0;
        int pos = from < _length ? from : 0;
        while (pos < _length && count < MaxTokens)
        {
            byte b = _buffer[pos];
            int end = b switch
            {
                (byte)'"' => StringEnd(pos),
                (byte)'-' or (>= (byte)'0' and <= (byte)'9') => RunEnd(pos, static c => c is (byte)'-' or (byte)'+' or (byte)'.' or (byte)'e' or (byte)'E' or (>= (byte)'0' and <= (byte)'9')),
                (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') => RunEnd(pos, static c => c is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z')),
                (byte)'{' or (byte)'}' or (byte)'[' or (byte)']' or (byte)',' or (byte)':' => pos + 1,
                _ => -1,
            };
            if (end < 0)
            {
                pos++;
                continue;
            }

            _tokenStarts[count] = pos;
            _tokenLengths[count] = end - pos;
            count++;
            pos = end;
        }

        return count;
    }

    private int StringEnd(int quote)
    {
        int pos = quote + 1;
        while (pos < _length && _buffer[pos] != (byte)'"')
        {
            pos += _buffer[pos] == (byte)'\\' ? 2 : 1;
        }

        return Math.Min(pos + 1, _length);
    }

    private int RunEnd(int start, Func<byte, bool> inRun)
    {
        int pos = start;
        while (pos < _length && inRun(_buffer[pos]))
        {
            pos++;
        }

        return pos;
    }
}
