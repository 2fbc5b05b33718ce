using System.Buffers.Binary;
using Concentus;
using Concentus.Enums;
using VoiceBridge.Media;

namespace VoiceBridge.Fuzzing;

public static partial class FuzzTargets
{
    /// <summary>
    /// WavLoader.Load reads a path (a recording the user brings), so each input is written to one scratch
    /// file first; the write's own allocation counts against the limit, which leaves ample room.
    /// </summary>
    private static FuzzTarget Wav()
    {
        string path = Path.Combine(Path.GetTempPath(), $"voicebridge-fuzz-{Environment.ProcessId}.wav");
        return new FuzzTarget(
            "wav",
            "WavLoader.Load: RIFF/WAVE headers and chunks (PCM 8-32 bit, float, mu-law, A-law, extensible, IMA and Microsoft ADPCM, GSM 6.10), Ogg Opus and Vorbis pages and packets, FLAC frames, WebM elements, AIFF/AIFF-C chunks, AU headers, decoded to 8 kHz mono",
            [
                WavBytes(1, 1, 8000, 16, 320),
                WavBytes(1, 2, 16000, 16, 640, listChunk: true),
                WavBytes(7, 1, 8000, 8, 160),
                WavBytes(6, 1, 8000, 8, 160),
                WavBytes(3, 1, 44100, 32, 1764),
                WavBytes(0xFFFE, 2, 48000, 24, 1152),
                WavBytes(1, 1, 22050, 8, 441),
                AdpcmWavBytes(ima: true, channels: 1),
                AdpcmWavBytes(ima: false, channels: 2),
                OggOpusBytes(),
                OggVorbisBytes(),
                FlacBytes(),
                AuBytes(),
                AiffBytes(),
                GsmWavBytes(),
                WebmBytes(),
            ],
            input =>
            {
                using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1))
                {
                    file.Write(input);
                }

                try
                {
                    _ = WavLoader.Load(path);
                }
                catch (AudioFormatException)
                {
                    // WavLoader documents AudioFormatException, naming the file and the problem, for every bad file.
                }
            })
        {
            Dictionary = [.. Utf8("RIFF", "WAVE", "fmt ", "data", "LIST", "fact", "RF64", "ds64", "JUNK", "OggS", "OpusHead", "OpusTags", "\u0001vorbis", "\u0005vorbis", "fLaC", "FORM", "AIFF", "AIFC", "COMM", "SSND", "sowt", ".snd", "A_OPUS"), [0x1A, 0x45, 0xDF, 0xA3], [0x18, 0x53, 0x80, 0x67], [0x1F, 0x43, 0xB6, 0x75], [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [0xFF, 0xF8], [0x10, 0, 0, 0], [0xFF, 0xFF, 0xFF, 0xFF], [0x44, 0xAC, 0, 0]],
            MaxInputBytes = 16 * 1024,

            // An odd sample rate needs a long polyphase filter: Resampler caps it at 2^21 float coefficients (8 MiB).
            MaxAllocatedBytes = 16 << 20,

            // Designing that filter takes up to about 2 s for the oddest rates (once per recording, offline).
            HangAfter = TimeSpan.FromSeconds(5),
        };
    }

    /// <summary>A RIFF/WAVE file: format tag, channels, rate, bits, then a data chunk of a sine-ish ramp; WAVE_FORMAT_EXTENSIBLE gets its 22 extra bytes.</summary>
    private static byte[] WavBytes(ushort format, ushort channels, int rate, ushort bits, int dataBytes, bool listChunk = false)
    {
        bool extensible = format == 0xFFFE;
        int fmtLength = extensible ? 40 : format == 1 ? 16 : 18;
        byte[] list = listChunk ? [.. "LIST"u8, 4, 0, 0, 0, .. "INFO"u8] : [];
        int blockAlign = channels * bits / 8;
        dataBytes -= dataBytes % Math.Max(1, blockAlign);
        using var wav = new MemoryStream();
        using var w = new BinaryWriter(wav);
        w.Write("RIFF"u8);
        w.Write((uint)(4 + 8 + fmtLength + list.Length + 8 + dataBytes));
        w.Write("WAVEfmt "u8);
        w.Write((uint)fmtLength);
        w.Write(format);
        w.Write(channels);
        w.Write((uint)rate);
        w.Write((uint)(rate * blockAlign));
        w.Write((ushort)blockAlign);
        w.Write(bits);
        if (fmtLength > 16)
        {
            w.Write((ushort)(fmtLength - 18));
        }

        if (extensible)
        {
            w.Write(bits);
            w.Write(3u);
            w.Write(Convert.FromHexString("0100000000001000800000AA00389B71"));
        }

        w.Write(list);
        w.Write("data"u8);
        w.Write((uint)dataBytes);
        for (int i = 0; i < dataBytes; i++)
        {
            w.Write((byte)(i * 37));
        }

        w.Flush();
        return wav.ToArray();
    }

    /// <summary>
    /// An ADPCM RIFF/WAVE file of two 64-byte blocks and a fact chunk counting one sample short of them:
    /// IMA (its samples per block) or Microsoft (its samples per block and the 7 standard coefficient pairs).
    /// </summary>
    private static byte[] AdpcmWavBytes(bool ima, ushort channels)
    {
        const ushort BlockAlign = 64;
        short[] coefficients = ima ? [] : [256, 0, 512, -256, 0, 0, 192, 64, 240, 0, 460, -208, 392, -232];
        var samplesPerBlock = (ushort)(ima ? 1 + ((BlockAlign - (4 * channels)) / (4 * channels) * 8) : 2 + ((BlockAlign - (7 * channels)) * 2 / channels));
        int extraLength = ima ? 2 : 4 + (2 * coefficients.Length);
        using var wav = new MemoryStream();
        using var w = new BinaryWriter(wav);
        w.Write("RIFF"u8);
        w.Write((uint)(4 + 8 + 18 + extraLength + 12 + 8 + (2 * BlockAlign)));
        w.Write("WAVEfmt "u8);
        w.Write((uint)(18 + extraLength));
        w.Write((ushort)(ima ? 0x11 : 0x02));
        w.Write(channels);
        w.Write(8000u);
        w.Write((uint)(8000 * BlockAlign / samplesPerBlock));
        w.Write(BlockAlign);
        w.Write((ushort)4);
        w.Write((ushort)extraLength);
        w.Write(samplesPerBlock);
        if (!ima)
        {
            w.Write((ushort)(coefficients.Length / 2));
            foreach (var coefficient in coefficients)
            {
                w.Write(coefficient);
            }
        }

        w.Write("fact"u8);
        w.Write(4u);
        w.Write((uint)((2 * samplesPerBlock) - 1));
        w.Write("data"u8);
        w.Write((uint)(2 * BlockAlign));
        for (int i = 0; i < 2 * BlockAlign; i++)
        {
            // Valid headers: predictor 0..6 (Microsoft), step index 0..88 (IMA); the rest a ramp.
            w.Write((byte)(i % BlockAlign < 7 * channels ? i % 7 : i * 37));
        }

        w.Flush();
        return wav.ToArray();
    }

    /// <summary>
    /// A live WebM recording as a browser writes it: EBML header, an unknown-size Segment, one Opus
    /// track whose CodecPrivate is an OpusHead, and an unknown-size Cluster of three SimpleBlocks of a tone.
    /// </summary>
    private static byte[] WebmBytes()
    {
        byte[] head = [.. "OpusHead"u8, 1, 1, 0x38, 0x01, 0x80, 0x3E, 0, 0, 0, 0, 0];
        byte[] unknown = [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        byte[] track = [0xD7, 0x81, 1, 0x86, 0x86, .. "A_OPUS"u8, 0x63, 0xA2, (byte)(0x80 | head.Length), .. head];
        byte[] blocks = [.. TonePackets().SelectMany(p => (byte[])[0xA3, (byte)(0x80 | (p.Length + 4)), 0x81, 0, 0, 0x80, .. p])];
        return
        [
            0x1A, 0x45, 0xDF, 0xA3, 0x84, 0x42, 0x82, 0x81, 0x77,
            0x18, 0x53, 0x80, 0x67, .. unknown,
            0x16, 0x54, 0xAE, 0x6B, (byte)(0x80 | (track.Length + 2)), 0xAE, (byte)(0x80 | track.Length), .. track,
            0x1F, 0x43, 0xB6, 0x75, .. unknown, 0xE7, 0x81, 0, .. blocks,
        ];
    }

    /// <summary>A GSM 6.10 WAV: 8 kHz mono, two 65-byte blocks (any bits are frames), a fact chunk of 600 samples.</summary>
    private static byte[] GsmWavBytes()
    {
        byte[] fmt = [.. "fmt "u8, 20, 0, 0, 0, 0x31, 0, 1, 0, 0x40, 0x1F, 0, 0, 0x59, 0x06, 0, 0, 65, 0, 0, 0, 2, 0, 0x40, 0x01];
        byte[] fact = [.. "fact"u8, 4, 0, 0, 0, 0x58, 0x02, 0, 0];
        byte[] data = [.. "data"u8, 130, 0, 0, 0, .. Enumerable.Range(0, 130).Select(i => (byte)(i * 37))];
        return [.. "RIFF"u8, (byte)(4 + fmt.Length + fact.Length + data.Length), 0, 0, 0, .. "WAVE"u8, .. fmt, .. fact, .. data];
    }

    /// <summary>A Sun/NeXT AU file: 8 kHz mono mu-law, 160 samples of a ramp.</summary>
    private static byte[] AuBytes()
    {
        byte[] header = [.. ".snd"u8, 0, 0, 0, 24, 0, 0, 0, 160, 0, 0, 0, 1, 0, 0, 0x1F, 0x40, 0, 0, 0, 1];
        return [.. header, .. Enumerable.Range(0, 160).Select(i => (byte)(i * 3))];
    }

    /// <summary>An AIFF-C file: 8 kHz mono 16-bit little-endian ('sowt'), 80 samples of a ramp.</summary>
    private static byte[] AiffBytes()
    {
        byte[] comm = [.. "COMM"u8, 0, 0, 0, 24, 0, 1, 0, 0, 0, 80, 0, 16, 0x40, 0x0B, 0xFA, 0, 0, 0, 0, 0, 0, 0, .. "sowt"u8, 0, 0];
        byte[] sound = [.. "SSND"u8, 0, 0, 0, 168, 0, 0, 0, 0, 0, 0, 0, 0, .. Enumerable.Range(0, 160).Select(i => (byte)(i * 5))];
        return [.. "FORM"u8, 0, 0, 0, (byte)(4 + comm.Length + sound.Length), .. "AIFC"u8, .. comm, .. sound];
    }

    /// <summary>An Ogg Opus file: OpusHead and OpusTags pages, then one page of three 20 ms packets of a tone (Concentus's encoder).</summary>
    private static byte[] OggOpusBytes()
    {
        byte[] head = [.. "OpusHead"u8, 1, 1, 0x38, 0x01, 0x80, 0x3E, 0, 0, 0, 0, 0];
        byte[] tags = [.. "OpusTags"u8, 2, 0, 0, 0, .. "vb"u8, 0, 0, 0, 0];
        return [.. OggPage(2, 0, 0, [head]), .. OggPage(0, 0, 1, [tags]), .. OggPage(4, 312 + (3 * 960), 2, TonePackets())];
    }

    /// <summary>Three 20 ms Opus packets of a 440 Hz tone (Concentus's encoder, 24 kb/s, mono).</summary>
    private static List<byte[]> TonePackets()
    {
        var encoder = OpusCodecFactory.CreateEncoder(48000, 1, OpusApplication.OPUS_APPLICATION_VOIP);
        encoder.Bitrate = 24000;
        var tone = new short[960];
        var packets = new List<byte[]>();
        var packet = new byte[1275];
        for (var p = 0; p < 3; p++)
        {
            for (var i = 0; i < tone.Length; i++)
            {
                tone[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * ((p * tone.Length) + i) / 48000));
            }

            packets.Add(packet[..encoder.Encode(tone, tone.Length, packet, packet.Length)]);
        }

        return packets;
    }

    /// <summary>One Ogg page of whole packets (each under 255 bytes) with its CRC.</summary>
    private static byte[] OggPage(byte headerType, long granule, uint sequence, IReadOnlyList<byte[]> packets)
    {
        using var page = new MemoryStream();
        using var w = new BinaryWriter(page);
        w.Write("OggS"u8);
        w.Write((byte)0);
        w.Write(headerType);
        w.Write(granule);
        w.Write(0x5642u);
        w.Write(sequence);
        w.Write(0u);
        w.Write((byte)packets.Count);
        foreach (var packet in packets)
        {
            w.Write((byte)packet.Length);
        }

        foreach (var packet in packets)
        {
            w.Write(packet);
        }

        w.Flush();
        var bytes = page.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(22), OggOpusDecoder.Crc(bytes));
        return bytes;
    }

    /// <summary>A FLAC stream: STREAMINFO (mono, 16-bit, 16 kHz), a frame of 64 VERBATIM samples of a ramp and a frame of 64 CONSTANT ones.</summary>
    private static byte[] FlacBytes()
    {
        const int Block = 64;
        byte[] info = [0, Block, 0, Block, 0, 0, 0, 0, 0, 0, 0x03, 0xE8, 0x00, 0xF0, 0, 0, 0, 2 * Block, .. new byte[16]];
        var verbatim = new byte[1 + (2 * Block)];
        verbatim[0] = 0x02;
        for (var i = 0; i < Block; i++)
        {
            BinaryPrimitives.WriteInt16BigEndian(verbatim.AsSpan(1 + (2 * i)), (short)(i * 300));
        }

        return [.. "fLaC"u8, 0x80, 0, 0, 34, .. info, .. FlacFrame(0, verbatim), .. FlacFrame(1, [0x00, 0x12, 0x34])];
    }

    /// <summary>A fixed-blocking frame of 64 mono 16-bit samples (sample rate from STREAMINFO) around one subframe, with its CRCs.</summary>
    private static byte[] FlacFrame(byte number, byte[] subframe)
    {
        byte[] header = [0xFF, 0xF8, 0x60, 0x08, number, 63];
        byte[] frame = [.. header, FlacDecoder.Crc8(header), .. subframe, 0, 0];
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(frame.Length - 2), FlacDecoder.Crc16(frame.AsSpan(0, frame.Length - 2)));
        return frame;
    }
}
