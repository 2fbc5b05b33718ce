using System.CommandLine;
using VoiceBridge.Cli;

var root = new RootCommand("VoiceBridge: a real-time voice agent bridge (Twilio Media Streams <-> OpenAI Realtime), with replay QA and a provider simulator.")
{
    ServeCommand.Create(),
    ReplayCommand.Create(),
    SimCommand.Create(),
    AuditCommand.Create(),
    DrillCommand.Create(),
    LoadCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
