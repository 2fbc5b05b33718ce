using VoiceBridge.Legs.Rtp;
using VoiceBridge.Media;

namespace VoiceBridge.Tests.Legs.Rtp;

/// <summary>
/// Drives a <see cref="JitterBuffer"/> on a virtual clock: packets arrive at scheduled times, the leg pops
/// every 20 ms at a fixed phase. Frames carry their sequence number as a tag so the output can be checked.
/// </summary>
internal sealed class JitterSimulation(JitterBufferOptions? options = null)
{
    private readonly List<(long AtMs, int Order, ushort Sequence, uint Timestamp, byte[] Payload)> _arrivals = [];

    public JitterBuffer Buffer { get; } = new(options ?? new JitterBufferOptions());

    public List<JitterInsertResult> InsertResults { get; } = [];

    /// <summary>A 160-byte frame whose first four bytes hold <paramref name="tag"/> in quiet codes; loud frames are full-scale after that.</summary>
    public static byte[] Frame(int tag, bool loud = true)
    {
        var frame = new byte[JitterBuffer.FrameBytes];
        frame.AsSpan().Fill(loud ? (byte)0x00 : G711.MuLawSilence);
        if (loud)
        {
            for (int i = 0; i < frame.Length; i += 2)
            {
                frame[i] = 0x80;
            }
        }

        for (int i = 0; i < 4; i++)
        {
            frame[i] = (byte)(0xF0 | ((tag >> (12 - (4 * i))) & 0x0F));
        }

        return frame;
    }

    /// <summary>The tag of a frame written by <see cref="Frame"/>.</summary>
    public static int Tag(ReadOnlySpan<byte> frame)
    {
        int tag = 0;
        for (int i = 0; i < 4; i++)
        {
            tag = (tag << 4) | (frame[i] & 0x0F);
        }

        return tag;
    }

    public static int MeanLevel(ReadOnlySpan<byte> frame)
    {
        int sum = 0;
        foreach (byte code in frame)
        {
            sum += Math.Abs((int)G711.MuLawToLinear(code));
        }

        return sum / frame.Length;
    }

    public void Add(long atMs, ushort sequence, uint timestamp, bool loud = true, int? tag = null) =>
        _arrivals.Add((atMs, _arrivals.Count, sequence, timestamp, Frame(tag ?? sequence, loud)));

    /// <summary>Adds <paramref name="count"/> consecutive packets; <paramref name="arrival"/> gives packet i's arrival time.</summary>
    public void AddStream(int count, ushort firstSequence, uint firstTimestamp, Func<int, long> arrival, Func<int, bool>? loud = null)
    {
        for (int i = 0; i < count; i++)
        {
            Add(arrival(i), (ushort)(firstSequence + i), firstTimestamp + (uint)(i * 160), loud?.Invoke(i) ?? true);
        }
    }

    /// <summary>Runs until <paramref name="endMs"/>, popping at 20 ms intervals starting at <paramref name="phaseMs"/>.</summary>
    public List<Output> Run(long endMs, long phaseMs = 10)
    {
        var ordered = _arrivals.OrderBy(a => a.AtMs).ThenBy(a => a.Order).ToList();
        var outputs = new List<Output>();
        int next = 0;
        var frame = new byte[JitterBuffer.FrameBytes];
        for (long now = phaseMs; now <= endMs; now += 20)
        {
            while (next < ordered.Count && ordered[next].AtMs <= now)
            {
                var a = ordered[next++];
                InsertResults.Add(Buffer.Insert(a.Sequence, a.Timestamp, a.Payload, a.AtMs));
            }

            JitterFrameKind kind = Buffer.Pop(frame, now);
            outputs.Add(new Output(now, kind, kind == JitterFrameKind.Normal ? Tag(frame) : null, (byte[])frame.Clone(), Buffer.Stats));
        }

        return outputs;
    }

    public sealed record Output(long AtMs, JitterFrameKind Kind, int? Tag, byte[] Frame, JitterBufferStats Stats);
}
