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
    FuzzCommand.Create(),
};
var parse = root.Parse(args);
if (ParseErrors.Of(parse) is { Count: > 0 } errors)
{
    return ParseErrors.Report(parse, errors);
}

// serve drains on SIGTERM through its host (docs/operations.md); the parser's own handler would end it after 2 s.
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = parse.CommandResult.Command.Name == "serve" ? null : TimeSpan.FromSeconds(2) });
