using CsCheck;
using VoiceBridge.Legs.Rtp;
using VoiceBridge.Media;

namespace VoiceBridge.Tests.Legs.Rtp;

/// <summary>Random arrival orders, losses and duplicates: the buffer never throws and never plays a frame twice or out of order.</summary>
public sealed class JitterBufferPropertyTests
{
    // Per packet: fate (0 lost, 1 duplicated, else delivered once) and extra delay in ms.
    private static readonly Gen<(ushort FirstSequence, uint FirstTimestamp, (int Fate, int DelayMs)[] Packets)> Scenarios =
        Gen.Select(Gen.UShort, Gen.UInt, Gen.Select(Gen.Int[0, 9], Gen.Int[0, 250]).Array[1, 300]);

    [Fact]
    public void Random_schedules_keep_the_playout_invariants()
    {
        Scenarios.Sample((firstSequence, firstTimestamp, packets) =>
        {
            var buffer = new JitterBuffer(new JitterBufferOptions());
            var arrivals = new List<(long AtMs, int Index)>();
            for (int i = 0; i < packets.Length; i++)
            {
                if (packets[i].Fate != 0)
                {
                    arrivals.Add(((20L * i) + packets[i].DelayMs, i));
                }

                if (packets[i].Fate == 1)
                {
                    arrivals.Add(((20L * i) + ((packets[i].DelayMs * 7) % 300), i));
                }
            }

            arrivals.Sort();
            var frame = new byte[200];
            int next = 0;
            int lastPlayed = -1;
            var played = new HashSet<int>();
            for (long now = 10; now < (20L * packets.Length) + 1000; now += 20)
            {
                for (; next < arrivals.Count && arrivals[next].AtMs <= now; next++)
                {
                    int index = arrivals[next].Index;
                    buffer.Insert((ushort)(firstSequence + index), firstTimestamp + (uint)(index * 160), JitterSimulation.Frame(index & 0xFFFF), arrivals[next].AtMs);
                }

                frame.AsSpan().Fill(0x7F); // -0 in mu-law: the encoder never produces it, so a byte left unwritten shows
                JitterFrameKind kind = buffer.Pop(frame, now);
                Assert.All(frame[160..], b => Assert.Equal(0x7F, b));
                switch (kind)
                {
                    case JitterFrameKind.Normal:
                        int index = JitterSimulation.Tag(frame);
                        Assert.Equal(JitterSimulation.Frame(index), frame[..160]);
                        Assert.True(played.Add(index), $"frame {index} played twice");
                        Assert.True(index > lastPlayed, $"frame {index} after {lastPlayed}");
                        lastPlayed = index;
                        break;
                    case JitterFrameKind.Silence:
                        Assert.All(frame[..160], b => Assert.Equal(G711.MuLawSilence, b));
                        break;
                    default:
                        Assert.Equal(JitterFrameKind.Concealed, kind);
                        Assert.DoesNotContain((byte)0x7F, frame[..160]);
                        break;
                }
            }

            JitterBufferStats stats = buffer.Stats;
            Assert.InRange(stats.TargetDelayMs, 20, 200);
            Assert.Equal(0, stats.BufferedPackets);
        }, iter: 200);
    }
}
