using System.Text;
using VoiceBridge.Engines.Realtime.Protocol;

namespace VoiceBridge.Tests.Engines.Realtime;

/// <summary>Every client event our production client builds is read back identically by the simulator's parser.</summary>
public sealed class RealtimeClientRoundTripTests
{
    public static TheoryData<RealtimeSessionConfig> Sessions => new()
    {
        new RealtimeSessionConfig { Instructions = "You are a courteous agent.", Tools = [Wire.LookupTool] },
        new RealtimeSessionConfig
        {
            Instructions = "",
            InputFormat = RealtimeAudioFormat.Pcm24k,
            OutputFormat = RealtimeAudioFormat.Pcma,
            Voice = "marin",
            TranscriptionModel = null,
            TurnDetection = null,
            ToolChoice = "none",
        },
        new RealtimeSessionConfig
        {
            Instructions = "x",
            TurnDetection = new()
            {
                Threshold = 0.72,
                PrefixPaddingMs = 120,
                SilenceDurationMs = 650,
                CreateResponse = false,
                InterruptResponse = false,
            },
            Tools = [Wire.LookupTool, new RealtimeToolDefinition("hang_up", "", """{"type":"object","properties":{}}""")],
            ToolChoice = "required",
        },
        new RealtimeSessionConfig { Instructions = "s", TurnDetection = new() { Type = RealtimeVadType.SemanticVad } },
    };

    [Theory]
    [MemberData(nameof(Sessions))]
    public void SessionUpdate(RealtimeSessionConfig config)
    {
        var parsed = Wire.Client(w => RealtimeClientWriter.WriteSessionUpdate(w, config, "evt_s"));

        Assert.Equal(RealtimeClientEventType.SessionUpdate, parsed.Type);
        Assert.Equal("evt_s", parsed.EventId);
        var update = Assert.IsType<RealtimeSessionUpdate>(parsed.Session);
        Assert.Equal(Enum.GetValues<RealtimeSessionFields>().Aggregate((a, b) => a | b), update.Present);
        Assert.Equal(config.Tools, update.Values.Tools);
        Assert.Equal(config, update.Values with { Tools = config.Tools });
    }

    [Fact]
    public void PartialSessionUpdateOnlyChangesWhatItCarries()
    {
        var current = new RealtimeSessionConfig { Instructions = "old", Tools = [Wire.LookupTool] };
        var json = """{"type":"session.update","session":{"type":"realtime","instructions":"new","audio":{"input":{"turn_detection":null}}}}""";
        var parsed = new RealtimeClientEvent();

        Assert.True(RealtimeClientParser.TryParse(Encoding.UTF8.GetBytes(json), parsed, out var error), error);

        var update = parsed.Session!;
        Assert.Equal(RealtimeSessionFields.Instructions | RealtimeSessionFields.TurnDetection, update.Present);
        Assert.Equal(current with { Instructions = "new", TurnDetection = null }, update.ApplyTo(current));
    }

    [Fact]
    public void Append()
    {
        var audio = Enumerable.Range(0, 160).Select(i => (byte)(i * 37)).ToArray();

        var parsed = Wire.Client(w => RealtimeClientWriter.WriteInputAudioAppend(w, audio, "evt_a"));

        Assert.Equal(RealtimeClientEventType.InputAudioBufferAppend, parsed.Type);
        Assert.Equal("input_audio_buffer.append", parsed.TypeName);
        Assert.Equal("evt_a", parsed.EventId);
        Assert.Equal(audio, parsed.Audio.ToArray());
    }

    [Fact]
    public void CommitAndClear()
    {
        var commit = Wire.Client(w => RealtimeClientWriter.WriteInputAudioCommit(w, "evt_c"));
        var clear = Wire.Client(w => RealtimeClientWriter.WriteInputAudioClear(w));

        Assert.Equal(RealtimeClientEventType.InputAudioBufferCommit, commit.Type);
        Assert.Equal("evt_c", commit.EventId);
        Assert.Equal(RealtimeClientEventType.InputAudioBufferClear, clear.Type);
        Assert.Null(clear.EventId);
    }

    public static TheoryData<RealtimeItem> Items => new()
    {
        RealtimeItem.Message(RealtimeRole.User, "Where is my order?", "item_u"),
        RealtimeItem.Message(RealtimeRole.System, "The caller is a VIP."),
        RealtimeItem.Message(RealtimeRole.Assistant, "Let me check."),
        RealtimeItem.FunctionCall("call_1", "lookup_order", """{"order_id":"42"}""", "item_f"),
        RealtimeItem.FunctionCallOutput("call_1", """{"status":"shipped","eta":"tomorrow"}"""),
    };

    [Theory]
    [MemberData(nameof(Items))]
    public void ConversationItemCreate(RealtimeItem item)
    {
        var parsed = Wire.Client(w => RealtimeClientWriter.WriteConversationItemCreate(w, item, "item_prev"));

        Assert.Equal(RealtimeClientEventType.ConversationItemCreate, parsed.Type);
        Assert.Equal(item, parsed.Item);
        Assert.Equal("item_prev", parsed.PreviousItemId);
    }

    [Fact]
    public void Truncate()
    {
        var parsed = Wire.Client(w => RealtimeClientWriter.WriteConversationItemTruncate(w, "item_5", 1, 2345));

        Assert.Equal(RealtimeClientEventType.ConversationItemTruncate, parsed.Type);
        Assert.Equal(("item_5", 1, 2345), (parsed.ItemId, parsed.ContentIndex, parsed.AudioEndMs));
    }

    [Fact]
    public void ResponseCreateAndCancel()
    {
        var plain = Wire.Client(w => RealtimeClientWriter.WriteResponseCreate(w));
        var instructed = Wire.Client(w => RealtimeClientWriter.WriteResponseCreate(w, "Say goodbye.", "evt_r"));
        var cancel = Wire.Client(w => RealtimeClientWriter.WriteResponseCancel(w, "resp_3"));

        Assert.Equal(RealtimeClientEventType.ResponseCreate, plain.Type);
        Assert.Null(plain.ResponseInstructions);
        Assert.Equal("Say goodbye.", instructed.ResponseInstructions);
        Assert.Equal("evt_r", instructed.EventId);
        Assert.Equal(RealtimeClientEventType.ResponseCancel, cancel.Type);
        Assert.Equal("resp_3", cancel.ResponseId);
    }

    [Fact]
    public void ReusedEventForgetsThePreviousOne()
    {
        var parsed = new RealtimeClientEvent();
        Assert.True(RealtimeClientParser.TryParse(
            Wire.Build(w => RealtimeClientWriter.WriteInputAudioAppend(w, [1, 2, 3], "evt_1")), parsed, out _));

        Assert.True(RealtimeClientParser.TryParse(Wire.Build(w => RealtimeClientWriter.WriteResponseCancel(w)), parsed, out _));

        Assert.Equal(RealtimeClientEventType.ResponseCancel, parsed.Type);
        Assert.Null(parsed.EventId);
        Assert.True(parsed.Audio.IsEmpty);
    }
}
