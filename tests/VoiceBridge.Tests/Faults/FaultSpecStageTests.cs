using VoiceBridge.Engines;
using VoiceBridge.Faults;
using VoiceBridge.Replay;

namespace VoiceBridge.Tests.Faults;

/// <summary>The fault grammar's stage targets (<c>NAME.stt|.llm|.tts</c>): what parses, what is refused and why.</summary>
public sealed class FaultSpecStageTests
{
    [Theory]
    [InlineData("cascade-remote.stt:close@turn2", "cascade-remote", FaultStage.Stt, FaultKind.Close, FaultMoment.Turn)]
    [InlineData("cascade-remote.llm:http5xx@connect", "cascade-remote", FaultStage.Llm, FaultKind.Http5xx, FaultMoment.Connect)]
    [InlineData("cascade-remote.tts:stall-audio@turn1", "cascade-remote", FaultStage.Tts, FaultKind.StallAudio, FaultMoment.Turn)]
    [InlineData("local.tts:error@turn2", "local", FaultStage.Tts, FaultKind.Error, FaultMoment.Turn)]
    [InlineData("primary.stt:empty-transcript@user1", "primary", FaultStage.Stt, FaultKind.EmptyTranscript, FaultMoment.User)]
    [InlineData("local.stt:close@user2+400", "local", FaultStage.Stt, FaultKind.Close, FaultMoment.User)]
    [InlineData("local.stt:close@turn2@done", "local", FaultStage.Stt, FaultKind.Close, FaultMoment.Turn)]
    [InlineData("cascade-remote.stt:blackhole@8s", "cascade-remote", FaultStage.Stt, FaultKind.Blackhole, FaultMoment.Seconds)]
    [InlineData("cascade-remote.llm:slow:4000@turn2", "cascade-remote", FaultStage.Llm, FaultKind.Slow, FaultMoment.Turn)]
    [InlineData("cascade-remote.tts:ratelimit@connect", "cascade-remote", FaultStage.Tts, FaultKind.RateLimit, FaultMoment.Connect)]
    [InlineData("cascade-deepgram-claude-elevenlabs.llm:close@turn1+300", "cascade-deepgram-claude-elevenlabs", FaultStage.Llm, FaultKind.Close, FaultMoment.Turn)]
    [InlineData("openai-realtime:close@turn2", "openai-realtime", FaultStage.None, FaultKind.Close, FaultMoment.Turn)]
    public void A_stage_target_parses_into_its_engine_and_stage(string text, string engine, FaultStage stage, FaultKind kind, FaultMoment moment)
    {
        var spec = FaultSpec.Parse(text);

        Assert.Equal((engine, stage, kind, moment), (spec.Engine, spec.Stage, spec.Kind, spec.When.Moment));
        Assert.Equal(spec, FaultSpec.Parse(spec.ToString()));
    }

    [Fact]
    public void A_connection_fault_without_a_moment_strikes_at_connect()
    {
        Assert.Equal(FaultMoment.Connect, FaultSpec.Parse("cascade-remote.stt:refuse").When.Moment);
        Assert.Equal(FaultMoment.Connect, FaultSpec.Parse("primary:http5xx").When.Moment);
        Assert.Equal((FaultMoment.Turn, 2), (FaultSpec.Parse("local.tts:error").When.Moment, FaultSpec.Parse("local.tts:error").When.N));
    }

    [Theory]
    [InlineData("cascade-remote.asr:close@turn2", "neither an engine nor a stage")]
    [InlineData("cascade-remote.llm:empty-transcript@turn2", "empty-transcript is a speech-to-text fault")]
    [InlineData("local.tts:empty-transcript@turn1", "aim it at NAME.stt")]
    [InlineData("cascade-remote.stt:slow:2000@turn2", "a speech-to-text stage has no reply to slow")]
    [InlineData("local.stt:stall-audio@turn2", "stall-audio stops a reply midway")]
    [InlineData("cascade-remote.stt:close@turn2+300", "turnN is its Nth final transcript")]
    [InlineData("cascade-remote.stt:stall-response@user2+300", "acts on a whole transcript")]
    [InlineData("cascade-remote.stt:empty-transcript@turn2@done", "acts on a whole transcript")]
    [InlineData("cascade-remote.llm:close@user2", "does not hear the caller")]
    [InlineData("local.tts:error@user1+200", "does not hear the caller")]
    [InlineData("cascade-remote.tts:close@8s", "connects per response")]
    [InlineData("cascade-remote.llm:slow:3000@turn2+100", "acts on a whole reply")]
    [InlineData("cascade-remote.tts:stall-response@turn2@done", "acts on a whole reply")]
    [InlineData("cascade-remote.tts:stall-audio@turn2@done", "stall-audio stops a reply midway")]
    [InlineData("cascade-remote.stt:close@connect", "only refuse, http5xx and ratelimit happen at connect")]
    [InlineData("cascade-remote.llm:http5xx@turn2", "is a connection fault; use @connect")]
    public void A_kind_a_stage_cannot_take_is_refused_saying_why(string text, string why)
    {
        var e = Assert.Throws<FormatException>(() => FaultSpec.Parse(text));

        Assert.Contains(why, e.Message, StringComparison.Ordinal);
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cascade-remote,local", "cascade-remote.stt:close@turn2")]
    [InlineData("cascade-remote,local", "local.tts:error@turn2")]
    [InlineData("openai-realtime,cascade-remote,local", "cascade-remote.llm:close@turn1")]
    [InlineData("local,openai-realtime", "primary.stt:stall-response@turn1")]
    [InlineData("cascade(stt=deepgram,llm=claude,tts=openai),local", "primary.tts:close@turn1")]
    [InlineData("local,cascade(stt=pocketsphinx,llm=scripted,tts=elevenlabs)", "local.stt:close@turn1")]
    public void A_stage_of_a_cascade_of_the_chain_can_take_a_fault(string chain, string fault) =>
        ReplayEnvironment.ValidateFaults(ChainSpec.Parse(chain), [FaultSpec.Parse(fault)]);

    [Theory]
    [InlineData("openai-realtime,local", "cascade-remote.stt:close@turn2", "'cascade-remote' is not an engine of the chain")]
    [InlineData("openai-realtime,local", "local:close@turn2", "'local' is a cascade; aim the fault at one of its stages: local.stt (pocketsphinx)")]
    [InlineData("openai-realtime,local", "openai-realtime.stt:close@turn2", "'openai-realtime' is a Realtime engine and has no stages")]
    [InlineData("openai-realtime,local", "primary.llm:close@turn2", "is a Realtime engine and has no stages")]
    [InlineData("cascade-remote,cascade(stt=deepgram,llm=scripted,tts=espeak)", "cascade-remote.stt:close@turn2", "'deepgram' serves both 'cascade-remote' and 'cascade-deepgram-scripted-espeak'")]
    public void A_stage_fault_the_chain_cannot_take_is_refused_naming_the_problem(string chain, string fault, string why)
    {
        var e = Assert.Throws<ArgumentException>(() => ReplayEnvironment.ValidateFaults(ChainSpec.Parse(chain), [FaultSpec.Parse(fault)]));

        Assert.Contains(why, e.Message, StringComparison.Ordinal);
    }
}
