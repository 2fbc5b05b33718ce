using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using VoiceBridge.Load;
using VoiceBridge.Media;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Load;

/// <summary>
/// scripts/lib/wire_hops.py, which reads a bridge's own hops off a loopback capture for the peer
/// comparison (docs/performance.md), run on a capture written here segment by segment: masked
/// client frames, unmasked server frames, two calls sending identical frames at once, and a
/// segment met in the middle of a frame.
/// </summary>
public sealed class WireHopsScriptTests
{
    private const ushort Bridge = 8080;
    private const ushort Simulator = 9090;
    private const ushort CallerA = 40001;
    private const ushort CallerB = 40002;
    private const ushort SessionA = 50001;
    private const ushort SessionB = 50002;

    [Fact]
    public async Task Hops_pair_each_frame_with_its_own_call_even_when_two_calls_send_the_same_audio()
    {
        var capture = new Capture();
        var a = Tagged(1, 0x11);
        var b = Tagged(2, 0x22);
        var same = Tagged(3, 0x7F);
        var reply = Tagged(4, 0x33);

        // Call A's and call B's own frames teach which provider session is whose.
        capture.Add(1.000_000, CallerA, Bridge, Media(a), masked: true);
        capture.Add(1.000_200, CallerB, Bridge, Media(b), masked: true);
        capture.Add(1.000_500, SessionA, Simulator, Append(a), masked: true);
        capture.Add(1.000_900, SessionB, Simulator, Append(b), masked: true);

        // Both calls send one identical frame; the bridge writes B's first.
        capture.Add(1.010_000, CallerA, Bridge, Media(same), masked: true);
        capture.Add(1.010_100, CallerB, Bridge, Media(same), masked: true);
        capture.Add(1.010_500, SessionB, Simulator, Append(same), masked: true);
        capture.Add(1.011_200, SessionA, Simulator, Append(same), masked: true);

        // A reply's first delta to call A, and its first frame to the caller.
        capture.Add(1.020_000, Simulator, SessionA, Delta(reply), masked: false);
        capture.Add(1.020_300, Bridge, CallerA, Media(reply), masked: false);

        // A segment met in the middle of a masked frame whose bytes look like a header claiming 2^40
        // bytes: skipped, and the flow's next frame is read, not waited for forever.
        capture.AddRaw(1.030_000, CallerB, Bridge, [0x81, 0xFF, 0, 0, 1, 0, 0, 0, 0, 0, 0x12, 0x34], seq: 7_000_000);
        var afterJunk = Tagged(5, 0x44);
        capture.Add(1.030_500, CallerB, Bridge, Media(afterJunk), masked: true);
        capture.Add(1.031_100, SessionB, Simulator, Append(afterJunk), masked: true);

        // A message split over two segments whose sequence numbers wrap: complete with the second.
        var split = Tagged(6, 0x55);
        capture.AddSplit(1.040_000, 1.040_100, CallerA, Bridge, Media(split), seq: 0xFFFF_FFF0);
        capture.Add(1.040_600, SessionA, Simulator, Append(split), masked: true);

        var result = await RunAsync(capture);

        // Hops in: 0.5 and 0.7 (own frames), 1.2 and 0.4 (the identical frame, each to its own call), 0.6, 0.5.
        Assert.Contains("\"hopIn\": {\"count\": 6, \"p50Ms\": 0.6, \"p99Ms\": 1.2, \"maxMs\": 1.2}", result, StringComparison.Ordinal);
        Assert.Contains("\"hopOut\": {\"count\": 1, \"p50Ms\": 0.3, \"p99Ms\": 0.3, \"maxMs\": 0.3}", result, StringComparison.Ordinal);
        Assert.Contains("\"callerFramesTagged\": 6", result, StringComparison.Ordinal);
        Assert.Contains("\"callsPaired\": 2", result, StringComparison.Ordinal);
        Assert.Contains("\"segmentsSkipped\": 1", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_a_classic_pcap_is_refused_by_name()
    {
        var (exit, _, error) = await PythonAsync([0x0A, 0x0D, 0x0D, 0x0A, .. new byte[40]]);
        Assert.NotEqual(0, exit);
        Assert.Contains("not a classic little-endian pcap", error, StringComparison.Ordinal);
        Assert.Contains("dumpcap -P", error, StringComparison.Ordinal);
    }

    private static byte[] Tagged(long micros, byte fill)
    {
        var frame = new byte[CallClock.FrameSamples];
        frame.AsSpan().Fill(fill);
        HopTag.TryWrite(frame, micros);
        return frame;
    }

    private static byte[] Media(byte[] audio) =>
        Encoding.UTF8.GetBytes($$$"""{"event":"media","streamSid":"MZ1","media":{"track":"inbound","payload":"{{{Convert.ToBase64String(audio)}}}"}}""");

    private static byte[] Append(byte[] audio) =>
        Encoding.UTF8.GetBytes($$"""{"type":"input_audio_buffer.append","event_id":"e1","audio":"{{Convert.ToBase64String(audio)}}"}""");

    private static byte[] Delta(byte[] audio) =>
        Encoding.UTF8.GetBytes($$"""{"type":"response.output_audio.delta","event_id":"e2","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"{{Convert.ToBase64String(audio)}}"}""");

    private static async Task<string> RunAsync(Capture capture)
    {
        var (exit, output, error) = await PythonAsync(capture.ToPcap());
        Assert.True(exit == 0, $"wire_hops.py exited {exit}: {error}");
        return output;
    }

    /// <summary>wire_hops.py run on <paramref name="capture"/> (written to a temporary file, deleted after).</summary>
    private static async Task<(int Exit, string Output, string Error)> PythonAsync(byte[] capture)
    {
        var path = Path.Combine(Path.GetTempPath(), $"wire-hops-{Guid.NewGuid():N}.pcap");
        await File.WriteAllBytesAsync(path, capture);
        try
        {
            var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(Path.Combine(RepoPaths.Root, "scripts", "lib", "wire_hops.py"));
            info.ArgumentList.Add(path);
            info.ArgumentList.Add(Bridge.ToString(System.Globalization.CultureInfo.InvariantCulture));
            info.ArgumentList.Add(Simulator.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start python3");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output, await error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A classic pcap of Ethernet frames on loopback, each carrying one WebSocket frame in a TCP segment.</summary>
    private sealed class Capture
    {
        private readonly List<byte[]> _records = [];
        private readonly Dictionary<(ushort, ushort), uint> _next = [];

        /// <summary>One segment carrying one whole WebSocket message.</summary>
        public void Add(double seconds, ushort from, ushort to, byte[] message, bool masked) =>
            Segment(seconds, from, to, WebSocketFrame(message, masked), _next.GetValueOrDefault((from, to), 1000u));

        /// <summary>One segment of raw bytes at <paramref name="seq"/>.</summary>
        public void AddRaw(double seconds, ushort from, ushort to, byte[] payload, uint seq) => Segment(seconds, from, to, payload, seq);

        /// <summary>One masked message in two segments, its first byte at <paramref name="seq"/>.</summary>
        public void AddSplit(double first, double second, ushort from, ushort to, byte[] message, uint seq)
        {
            var frame = WebSocketFrame(message, masked: true);
            var half = frame.Length / 2;
            Segment(first, from, to, frame[..half], seq);
            Segment(second, from, to, frame[half..], unchecked(seq + (uint)half));
        }

        private void Segment(double seconds, ushort from, ushort to, byte[] payload, uint sequence)
        {
            _next[(from, to)] = unchecked(sequence + (uint)payload.Length);

            var packet = new byte[14 + 20 + 20 + payload.Length];
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(12), 0x0800);
            var ip = packet.AsSpan(14);
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(40 + payload.Length));
            ip[8] = 64;
            ip[9] = 6;
            ip[12] = ip[16] = 127;
            ip[15] = ip[19] = 1;
            var tcp = packet.AsSpan(34);
            BinaryPrimitives.WriteUInt16BigEndian(tcp, from);
            BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], to);
            BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], sequence);
            tcp[12] = 5 << 4;
            tcp[13] = 0x18;
            payload.CopyTo(tcp[20..]);

            var record = new byte[16 + packet.Length];
            var whole = (uint)Math.Floor(seconds);
            BinaryPrimitives.WriteUInt32LittleEndian(record, whole);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), (uint)Math.Round((seconds - whole) * 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), (uint)packet.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12), (uint)packet.Length);
            packet.CopyTo(record, 16);
            _records.Add(record);
        }

        public byte[] ToPcap()
        {
            var header = new byte[24];
            BinaryPrimitives.WriteUInt32LittleEndian(header, 0xA1B2C3D4);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), 2);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 4);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 65535);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), 1);
            return [.. header, .. _records.SelectMany(r => r)];
        }

        private static byte[] WebSocketFrame(byte[] message, bool masked)
        {
            var length = message.Length;
            var head = new List<byte> { 0x81 };
            var maskBit = masked ? (byte)0x80 : (byte)0;
            if (length < 126)
            {
                head.Add((byte)(maskBit | length));
            }
            else
            {
                head.Add((byte)(maskBit | 126));
                head.Add((byte)(length >> 8));
                head.Add((byte)length);
            }

            if (!masked)
            {
                return [.. head, .. message];
            }

            byte[] key = [0x5A, 0x13, 0xC7, 0x02];
            return [.. head, .. key, .. message.Select((b, i) => (byte)(b ^ key[i & 3]))];
        }
    }
}
