using System.CommandLine;
using System.Globalization;
using System.Net;
using VoiceBridge.Legs.WebRtc;

namespace VoiceBridge.Cli;

/// <summary>
/// <c>serve</c>'s browser leg options: the WHIP endpoint on the same Kestrel as Twilio (its bearer token),
/// where each session's UDP socket binds, the address the answer advertises, the port range and the codec.
/// </summary>
internal sealed class WebRtcSettings
{
    public const string TokenVariable = "VOICEBRIDGE_WHIP_TOKEN";

    private readonly Option<bool> _off = new("--whip-off") { Description = "Do not serve the WHIP endpoint (browser calls)" };

    private readonly Option<string?> _token = new("--whip-token")
    {
        Description = $"Bearer token WHIP POST and DELETE must carry; prefer the {TokenVariable} environment variable, which ps does not show [none: open, suits loopback only]",
    };

    private readonly Option<string?> _origin = new("--whip-origin") { Description = "Access-Control-Allow-Origin for browser pages on another origin [* on loopback]" };

    private readonly Option<string> _bind = new("--webrtc-bind") { Description = "The address browser media (ICE, DTLS, SRTP) binds to", DefaultValueFactory = _ => "127.0.0.1" };

    private readonly Option<string?> _advertise = new("--webrtc-advertise") { Description = "The address in the answer's ICE candidate, which browsers reach [the bind address]" };

    private readonly Option<string?> _ports = new("--webrtc-ports") { Description = "UDP port range MIN-MAX for browser sessions, one port each [any free port]" };

    private readonly Option<string> _codec = new("--webrtc-codec") { Description = "opus or pcmu, when the browser offers both", DefaultValueFactory = _ => "opus" };

    public void AddTo(Command command)
    {
        command.Options.Add(_off);
        command.Options.Add(_token);
        command.Options.Add(_origin);
        command.Options.Add(_bind);
        command.Options.Add(_advertise);
        command.Options.Add(_ports);
        command.Options.Add(_codec);
    }

    /// <summary>The WHIP and media options, or null when the browser leg is off; problems go to <paramref name="errors"/>, each naming its option.</summary>
    public (WhipOptions Whip, WebRtcOptions Media)? Read(ParseResult parse, List<string> errors, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (parse.GetValue(_off))
        {
            return null;
        }

        var whip = new WhipOptions { BearerToken = parse.GetValue(_token) ?? environment(TokenVariable), AllowedOrigin = parse.GetValue(_origin) };
        var media = new WebRtcOptions();
        if (IPAddress.TryParse(parse.GetValue(_bind), out var bind))
        {
            media.BindAddress = bind;
        }
        else
        {
            errors.Add($"--webrtc-bind '{parse.GetValue(_bind)}' is not an IP address");
        }

        if (parse.GetValue(_advertise) is { } advertise)
        {
            if (IPAddress.TryParse(advertise, out var address))
            {
                media.AdvertisedAddress = address;
            }
            else
            {
                errors.Add($"--webrtc-advertise '{advertise}' is not an IP address");
            }
        }

        if (parse.GetValue(_ports) is { } ports)
        {
            var range = ports.Split('-');
            if (range.Length == 2 && int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var min) && int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out var max))
            {
                media.PortMin = min;
                media.PortMax = max;
            }
            else
            {
                errors.Add($"--webrtc-ports '{ports}' is not a range MIN-MAX");
            }
        }

        switch (parse.GetValue(_codec)!.ToLowerInvariant())
        {
            case "opus":
                media.Codec = WebRtcCodecPreference.Opus;
                break;
            case "pcmu":
                media.Codec = WebRtcCodecPreference.Pcmu;
                break;
            default:
                errors.Add($"--webrtc-codec '{parse.GetValue(_codec)}' is not opus or pcmu");
                break;
        }

        errors.AddRange(whip.Validate().Select(e => $"--whip-token/--whip-origin: {e}"));
        errors.AddRange(media.Validate().Select(e => $"--webrtc-*: {e}"));
        return (whip, media);
    }
}
