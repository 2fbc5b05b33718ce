using System.Text;
using CsCheck;
using VoiceBridge.Call;

namespace VoiceBridge.Tests.Call;

public sealed class ConversationCheckpointTests
{
    private static readonly ConversationCheckpoint Sample = new()
    {
        CallSid = "CA1",
        Node = "node-a",
        StreamStartedAt = new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero),
        Turns =
        [
            new CheckpointTurn("User", "local", "i would like to book an appointment", null, 500, 2700, null, false),
            new CheckpointTurn("Assistant", "local", "Which day would that be?", "Which day would that be?", 3000, 4200, null, false),
            new CheckpointTurn("User", "local", "[DTMF 1]", null, 4300, 4300, "1", false),
        ],
        ToolCalls = [new ToolCallRecord("call_1", "check_availability", """{"day":"Tomorrow"}""", """{"slots":["10:00"]}""", "local", 3500)],
    };

    [Fact]
    public void A_checkpoint_round_trips_through_its_json()
    {
        Assert.True(ConversationCheckpoint.TryParse(Sample.ToUtf8Json(), "CA1", out var read, out var error), error);

        Assert.Equal(Sample.Turns, read!.Turns);
        Assert.Equal(Sample.ToolCalls, read.ToolCalls);
        Assert.Equal((Sample.Node, Sample.StreamStartedAt, Sample.Ended), (read.Node, read.StreamStartedAt, read.Ended));
        Assert.True(read.ReplyOwed);
    }

    [Theory]
    [InlineData("""{"callSid":"CA1",""", "not valid JSON")]
    [InlineData("null", "empty")]
    [InlineData("""{"version":2,"callSid":"CA1","streamStartedAt":"2026-01-01T09:00:00Z","turns":[],"toolCalls":[]}""", "version 2 is not 1")]
    [InlineData("""{"callSid":"CA9","streamStartedAt":"2026-01-01T09:00:00Z","turns":[],"toolCalls":[]}""", "written for call 'CA9', not 'CA1'")]
    [InlineData("""{"callSid":"CA1","streamStartedAt":"2026-01-01T09:00:00Z","turns":[{"role":"System","engine":"x","text":"","startMs":0,"endMs":0,"interrupted":false}],"toolCalls":[]}""", "turn 0 has no role")]
    [InlineData("""{"callSid":"CA1","streamStartedAt":"2026-01-01T09:00:00Z","turns":[],"toolCalls":[{"callId":"c","name":"n"}]}""", "tool call 0 lacks a field")]
    [InlineData("""{"callSid":"CA1","turns":[],"toolCalls":[]}""", "not valid JSON")]
    public void Bad_checkpoints_are_refused_with_what_is_wrong(string json, string reason)
    {
        Assert.False(ConversationCheckpoint.TryParse(Encoding.UTF8.GetBytes(json), "CA1", out var read, out var error));
        Assert.Null(read);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void More_entries_than_the_limit_are_refused()
    {
        var many = Sample with { Turns = [.. Enumerable.Repeat(Sample.Turns[0], ConversationCheckpoint.MaxEntries + 1)] };

        Assert.False(ConversationCheckpoint.TryParse(many.ToUtf8Json(), "CA1", out _, out var error));
        Assert.Contains($"more than {ConversationCheckpoint.MaxEntries}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        Gen.Byte.Array[0, 200].Sample(bytes => !ConversationCheckpoint.TryParse(bytes, "CA1", out var read, out var error) && read is null && error is not null);
    }
}
