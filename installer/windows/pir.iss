; Inno Setup 6 script: the Windows installer for PIR, wrapping the one-folder PyInstaller bundle
; dist\PIR (built on Windows from installer\pir.spec). docs\INSTALL.md gives every step, signing
; included. Compile from the clone's root folder:
;   ISCC.exe /DAppVersion=0.1.0 installer\windows\pir.iss
;   ISCC.exe /DAppVersion=0.1.0 /DSign "/Spirsign=signtool.exe sign /fd SHA256 /tr URL /td SHA256 /sha1 THUMBPRINT $f" installer\windows\pir.iss
; Output: dist\PIR-<version>-setup.exe
;
; Installs per machine into Program Files (IT installs once for every user of the laptop).
; Uninstalling removes the program folder only: each user's data (%LOCALAPPDATA%\PIR, holding the
; encrypted pir.db) is never touched, so a reinstall or upgrade keeps every record.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define Bundle "..\..\dist\PIR"

[Setup]
; The AppId identifies PIR across versions (upgrades replace in place); never change it.
AppId={{8F68ACFF-5706-4FC8-9A10-0D17B1439FBC}
AppName=PIR
AppVerName=PIR {#AppVersion}
AppVersion={#AppVersion}
AppPublisher=PIR
AppComments=Post-incident recorder
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\PIR
DefaultGroupName=PIR
DisableProgramGroupPage=yes
DisableDirPage=auto
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=PIR-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\pir.ico
UninstallDisplayIcon={app}\pir-desktop.exe
UninstallDisplayName=PIR {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
#ifdef Sign
; "pirsign" is defined on the ISCC command line (/Spirsign=...); it signs the installer and the
; uninstaller. The programs inside dist\PIR are signed before this script is compiled.
SignTool=pirsign
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The two programs of the bundle (installer\pir.spec EXECUTABLES), then the folder they share.
Source: "{#Bundle}\pir-desktop.exe"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#Bundle}\pir.exe"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#Bundle}\_internal\*"; DestDir: "{app}\_internal"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade must not leave the previous version's libraries beside the new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\PIR"; Filename: "{app}\pir-desktop.exe"; Comment: "Post-incident recorder"
Name: "{group}\PIR self-test"; Filename: "{cmd}"; Parameters: "/k ""{app}\pir.exe"" self-test"; WorkingDir: "{app}"; IconFilename: "{app}\pir-desktop.exe"; Comment: "Checks this installation (prints PASS or FAIL)"
Name: "{autodesktop}\PIR"; Filename: "{app}\pir-desktop.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\pir-desktop.exe"; Description: "{cm:LaunchProgram,PIR}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only the program folder. Users' data in %LOCALAPPDATA%\PIR stays (see the note at the top).
Type: filesandordirs; Name: "{app}\_internal"
