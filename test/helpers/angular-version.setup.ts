// The angular-<major> projects (vitest.config.ts): fail the file if the Angular that loads is not the major the project
// is named after, so a resolution slip cannot pass one major's run off as another's.
// The compiler first: Angular's partially compiled packages need it as they load (see test/angular.test.ts).
import { VERSION as COMPILER } from '@angular/compiler'
import { VERSION as COMMON } from '@angular/common'
import { VERSION as CORE } from '@angular/core'

const expected = process.env.EXPECTED_ANGULAR_MAJOR
for (const [name, version] of Object.entries({ compiler: COMPILER, core: CORE, common: COMMON })) {
  if (version.major !== expected) throw new Error(`@angular/${name} ${version.full} loaded, the project expects Angular ${expected}`)
}
