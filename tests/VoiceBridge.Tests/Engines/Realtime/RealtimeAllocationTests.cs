using VoiceBridge.Tests.Support;
using System.Buffers;
using VoiceBridge.Engines.Realtime.Protocol;

namespace VoiceBridge.Tests.Engines.Realtime;

/// <summary>The per-frame paths (append build/parse, audio delta build/parse) allocate nothing after warm-up.</summary>
public sealed class RealtimeAllocationTests
{
    private const int Frames = 1000;

    [Fact]
    public void AppendBuildAndDeltaParseAllocateNothing()
    {
        var frame = Enumerable.Range(0, 160).Select(i => (byte)i).ToArray();
        var output = new ArrayBufferWriter<byte>(4096);
        var delta = Wire.Build(w => RealtimeServerWriter.WriteOutputAudioDelta(w, "event_1", "resp_1", "item_1", 0, 0, new byte[960]));
        var parsed = new RealtimeServerEvent();
        var ok = true;
        for (var i = 0; i < 10; i++)
        {
            output.ResetWrittenCount();
            RealtimeClientWriter.WriteInputAudioAppend(output, frame);
            ok &= RealtimeServerParser.TryParse(delta, parsed, out _);
        }

        var building = Allocations.Of(() =>
        {
            for (var i = 0; i < Frames; i++)
            {
                output.ResetWrittenCount();
                RealtimeClientWriter.WriteInputAudioAppend(output, frame);
            }
        });
        var parsing = Allocations.Of(() =>
        {
            for (var i = 0; i < Frames; i++)
            {
                ok &= RealtimeServerParser.TryParse(delta, parsed, out _);
            }
        });
        Assert.True(ok);
        Assert.Equal(0, building);
        Assert.Equal(0, parsing);
        Assert.Equal(960, parsed.Audio.Length);
    }

    [Fact]
    public void DeltaBuildAndAppendParseAllocateNothing()
    {
        var audio = new byte[960];
        var output = new ArrayBufferWriter<byte>(4096);
        var append = Wire.Build(w => RealtimeClientWriter.WriteInputAudioAppend(w, new byte[160], "evt_1"));
        var parsed = new RealtimeClientEvent();
        var ok = true;
        for (var i = 0; i < 10; i++)
        {
            output.ResetWrittenCount();
            RealtimeServerWriter.WriteOutputAudioDelta(output, "event_1", "resp_1", "item_1", 0, 0, audio);
            ok &= RealtimeClientParser.TryParse(append, parsed, out _);
        }

        var building = Allocations.Of(() =>
        {
            for (var i = 0; i < Frames; i++)
            {
                output.ResetWrittenCount();
                RealtimeServerWriter.WriteOutputAudioDelta(output, "event_1", "resp_1", "item_1", 0, 0, audio);
            }
        });
        var parsing = Allocations.Of(() =>
        {
            for (var i = 0; i < Frames; i++)
            {
                ok &= RealtimeClientParser.TryParse(append, parsed, out _);
            }
        });
        Assert.True(ok);
        Assert.Equal(0, building);
        Assert.Equal(0, parsing);
        Assert.Equal(160, parsed.Audio.Length);
    }
}
