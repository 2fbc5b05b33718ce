using System.Buffers.Binary;
using VoiceBridge.Media;

namespace VoiceBridge.Tests.Media;

/// <summary>
/// WAVs whose writer never filled in its sizes (crashed, or streamed): read to the end of the file,
/// as ffmpeg's pipe output (sizes 0xFFFFFFFF) is; a zero-length data chunk that is really empty
/// (more chunks follow it) stays "no audio".
/// </summary>
public sealed class UnfinishedWavTests : IDisposable
{
    private const int RiffSizeAt = 4, DataSizeAt = 40;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(0u, null)]
    [InlineData(36u, null)]
    [InlineData(0u, 0u)]
    [InlineData(null, 0u)]
    public void A_header_with_unfilled_sizes_is_read_to_the_end_of_the_file(uint? riffSize, uint? dataSize)
    {
        var pcm = new byte[16_000];
        for (var i = 0; i < pcm.Length / 2; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(2 * i), (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / 8000)));
        }

        var whole = WavFiles.Handmade(1, 1, 8000, 16, 2, pcm);
        var unfinished = whole.ToArray();
        if (riffSize is { } riff)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(unfinished.AsSpan(RiffSizeAt), riff);
        }

        if (dataSize is { } data)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(unfinished.AsSpan(DataSizeAt), data);
        }

        var expected = WavLoader.Load(_dir.Write("whole.wav", whole)).Samples;
        var read = WavLoader.Load(_dir.Write("unfinished.wav", unfinished));

        Assert.Equal(expected, read.Samples);
        Assert.Equal(TimeSpan.FromSeconds(1), read.Duration);
    }

    [Fact]
    public void An_empty_data_chunk_followed_by_more_chunks_is_no_audio()
    {
        byte[] list = [.. "LIST"u8, 4, 0, 0, 0, .. "INFO"u8];

        RecordingAssert.Refused(_dir.Write("empty.wav", WavFiles.Handmade(1, 1, 8000, 16, 2, list, declaredDataBytes: 0)), "no audio: the data chunk holds zero samples");
    }
}
