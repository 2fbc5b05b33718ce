using System.Text;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Transport;

/// <summary>Error bodies are read up to a bound: a huge error page costs at most that, and says it was cut.</summary>
public sealed class CappedBodyTests
{
    [Fact]
    public async Task A_small_body_is_read_whole()
    {
        using var content = new StringContent("""{"error":{"message":"overloaded"}}""");
        Assert.Equal("""{"error":{"message":"overloaded"}}""", await CappedBody.ReadAsync(content, CancellationToken.None));
    }

    [Fact]
    public async Task A_body_over_the_bound_is_cut_there_and_the_text_says_so()
    {
        var stream = new CountingStream(10 * 1024 * 1024);
        using var content = new StreamContent(stream);

        var text = await CappedBody.ReadAsync(content, CancellationToken.None, maxBytes: 1000);

        Assert.Equal(new string('x', 1000) + " [cut at 1000 bytes]", text);
        Assert.True(stream.Served <= 64 * 1024, $"read {stream.Served} bytes of a 10 MB body");
    }

    [Fact]
    public async Task Invalid_utf8_is_replaced_not_thrown()
    {
        using var content = new ByteArrayContent([0x7B, 0xFF, 0xFE, 0x7D]);
        Assert.Equal("{\uFFFD\uFFFD}", await CappedBody.ReadAsync(content, CancellationToken.None));
    }

    /// <summary>An endless body of 'x' that counts what was read from it.</summary>
    private sealed class CountingStream(long length) : Stream
    {
        public long Served { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => Served; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - Served);
            buffer.AsSpan(offset, n).Fill((byte)'x');
            Served += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
