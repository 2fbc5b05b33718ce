using System.Text;
using VoiceBridge.Legs;

namespace VoiceBridge.Tests.Legs;

public sealed class PlayoutMarkTests
{
    [Theory]
    [InlineData(1, 48000, "g1-48000")]
    [InlineData(0, 0, "g0-0")]
    [InlineData(int.MaxValue, long.MaxValue, "g2147483647-9223372036854775807")]
    public void A_mark_writes_its_name_and_reads_it_back(int generation, long position, string name)
    {
        var mark = new PlayoutMark(generation, position);
        Span<byte> utf8 = stackalloc byte[PlayoutMark.MaxNameBytes];

        var length = mark.FormatName(utf8);

        Assert.Equal(name, Encoding.UTF8.GetString(utf8[..length]));
        Assert.Equal(name, mark.ToString());
        Assert.True(PlayoutMark.TryParse(utf8[..length], out var back));
        Assert.Equal(mark, back);
    }

    [Theory]
    [InlineData("")]
    [InlineData("g1")]
    [InlineData("g1-")]
    [InlineData("g-1-5")]
    [InlineData("g1-5x")]
    [InlineData("g1--5")]
    [InlineData("h1-5")]
    [InlineData("g1 -5")]
    [InlineData("my label")]
    [InlineData("g99999999999-1")]
    [InlineData("g1-99999999999999999999999")]
    public void A_name_it_did_not_write_is_no_mark(string name)
    {
        Assert.False(PlayoutMark.TryParse(Encoding.UTF8.GetBytes(name), out _));
    }

    [Fact]
    public void Random_bytes_never_throw_and_what_parses_reads_back_the_same()
    {
        var random = new Random(7);
        Span<byte> utf8 = stackalloc byte[PlayoutMark.MaxNameBytes];
        for (var i = 0; i < 20000; i++)
        {
            var bytes = new byte[random.Next(0, 40)];
            for (var j = 0; j < bytes.Length; j++)
            {
                bytes[j] = (byte)"g0123456789-x"[random.Next(13)];
            }

            if (PlayoutMark.TryParse(bytes, out var mark))
            {
                var length = mark.FormatName(utf8);
                Assert.True(PlayoutMark.TryParse(utf8[..length], out var again));
                Assert.Equal(mark, again);
            }
        }
    }
}
