using Concentus;
using Concentus.Enums;
using CsCheck;
using VoiceBridge.Legs.WebRtc;
using VoiceBridge.Media;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Legs.WebRtc;

/// <summary>Packet durations, DTX packets, hostile packets and per-frame allocation of <see cref="OpusAudio"/>.</summary>
public sealed class OpusAudioPacketTests
{
    private const int Frame = OpusAudio.FrameSamples8k;

    [Theory]
    [InlineData(new byte[] { 0x08 }, 960)] // SILK narrowband 20 ms, one frame
    [InlineData(new byte[] { 0x78 }, 960)] // hybrid fullband 20 ms
    [InlineData(new byte[] { 0x18 }, 2880)] // SILK narrowband 60 ms
    [InlineData(new byte[] { 0x80 }, 120)] // CELT 2.5 ms
    [InlineData(new byte[] { 0x09 }, 1920)] // code 1: two 20 ms frames
    [InlineData(new byte[] { 0x0B, 0x03 }, 2880)] // code 3: three 20 ms frames
    [InlineData(new byte[] { 0x0B, 0x07 }, -1)] // code 3: seven 20 ms frames is over 120 ms
    [InlineData(new byte[] { 0x0B, 0x00 }, -1)] // code 3 with no frames
    [InlineData(new byte[] { 0x0B }, -1)] // code 3 without its count byte
    [InlineData(new byte[0], -1)]
    public void Packet_duration_comes_from_the_table_of_contents(byte[] packet, int samples)
    {
        Assert.Equal(samples, OpusAudio.PacketSamples(packet));
    }

    [Theory]
    [InlineData(0x48, 1)] // SILK wideband 20 ms: what libopus sends in DTX
    [InlineData(0x79, 2)] // code 1: two empty hybrid fullband 20 ms frames
    [InlineData(0x18, 3)] // SILK narrowband 60 ms
    public void A_packet_of_its_table_of_contents_alone_after_speech_is_silence_for_its_duration(byte toc, int frames)
    {
        var codec = new OpusAudio();
        short[] speech = OpusAudioTests.Tone(440, 8000, Frame * 5);
        OpusAudioTests.RoundTrip(codec, speech);
        var mulaw = new byte[6 * Frame];
        mulaw.AsSpan().Fill(0x20);

        Assert.True(codec.TryDecode(new[] { toc }, mulaw, out int samples));
        Assert.Equal(frames * Frame, samples);
        Assert.All(mulaw[..samples], b => Assert.Equal(G711.MuLawSilence, b));
    }

    [Fact]
    public void TryDecode_takes_a_packet_of_any_duration_that_fits()
    {
        IOpusEncoder encoder = OpusCodecFactory.CreateEncoder(OpusAudio.SampleRate, 1, OpusApplication.OPUS_APPLICATION_VOIP);
        var packet = new byte[OpusAudio.MaxPacketBytes];
        int length = encoder.Encode(new short[1920], 1920, packet, packet.Length);
        var codec = new OpusAudio();
        var mulaw = new byte[2 * Frame];

        Assert.True(codec.TryDecode(packet.AsSpan(0, length), mulaw, out int samples));
        Assert.Equal(2 * Frame, samples);
        Assert.False(codec.TryDecode(packet.AsSpan(0, length), mulaw.AsSpan(0, Frame), out _));
    }

    [Fact]
    public void Random_packets_never_throw()
    {
        var codec = new OpusAudio();
        var mulaw = new byte[6 * Frame];
        Gen.Byte.Array[0, 1500].Sample(
            bytes =>
            {
                codec.TryDecode(bytes, mulaw, out int samples);
                return samples is >= 0 and <= 6 * Frame;
            },
            iter: 3000,
            threads: 1);
    }

    /// <remarks>
    /// Not the zero the hot path aims for: Concentus 2.2.2 allocates inside its encoder (about 70 KB per
    /// frame) and decoder (about 10 KB). The bound catches a regression in our part (buffers per call,
    /// not per frame) or a library update that makes it worse.
    /// </remarks>
    [Fact]
    public void Per_frame_allocation_stays_within_what_concentus_itself_allocates()
    {
        var codec = new OpusAudio();
        var frame = new byte[Frame];
        G711.MuLawEncode(OpusAudioTests.Tone(440, 8000, Frame), frame);
        var packet = new byte[OpusAudio.MaxPacketBytes];
        var decoded = new byte[Frame];
        void OneFrame()
        {
            int length = codec.Encode(frame, packet);
            codec.TryDecode(packet.AsSpan(0, length), decoded, out _);
        }

        for (int i = 0; i < 50; i++)
        {
            OneFrame();
        }

        long bytes = Allocations.Of(OneFrame);
        Assert.True(bytes < 128 * 1024, $"{bytes} bytes per frame");
    }
}
